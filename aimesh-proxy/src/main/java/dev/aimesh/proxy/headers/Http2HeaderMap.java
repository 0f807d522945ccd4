package dev.aimesh.proxy.headers;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import dev.aimesh.proxy.filter.HeaderMap;

/**
 * An HTTP/2 header block ({@code Http2Headers} as a frame relay gets it) as filters see it, without converting
 * it: names are looked up in lower case, as HTTP/2 carries them, and pseudo-headers are not fields.
 */
public class Http2HeaderMap implements HeaderMap {
    protected final Http2Headers headers;

    public Http2HeaderMap(Http2Headers headers) {
        this.headers = headers;
    }

    /** The name as HTTP/2 sends it: lower case (no copy when it already is). */
    static CharSequence lower(CharSequence name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return AsciiString.of(name).toLowerCase();
            }
        }
        return name;
    }

    @Override
    public String get(CharSequence name) {
        CharSequence value = headers.get(lower(name));
        return value == null ? null : value.toString();
    }

    @Override
    public List<String> getAll(CharSequence name) {
        List<CharSequence> values = headers.getAll(lower(name));
        List<String> all = new ArrayList<>(values.size());
        for (CharSequence v : values) {
            all.add(v.toString());
        }
        return all;
    }

    @Override
    public boolean contains(CharSequence name) {
        return headers.contains(lower(name));
    }

    @Override
    public void set(CharSequence name, CharSequence value) {
        headers.set(lower(name), value);
    }

    @Override
    public void add(CharSequence name, CharSequence value) {
        headers.add(lower(name), value);
    }

    @Override
    public void remove(CharSequence name) {
        headers.remove(lower(name));
    }

    @Override
    public List<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (Map.Entry<CharSequence, CharSequence> e : headers) {
            CharSequence name = e.getKey();
            if (name.length() == 0 || name.charAt(0) != ':') {
                names.add(name.toString());
            }
        }
        return new ArrayList<>(names);
    }

    @Override
    public boolean isEmpty() {
        for (Map.Entry<CharSequence, CharSequence> e : headers) {
            CharSequence name = e.getKey();
            if (name.length() == 0 || name.charAt(0) != ':') {
                return false;
            }
        }
        return true;
    }
}
