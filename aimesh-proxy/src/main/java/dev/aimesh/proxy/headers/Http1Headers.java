package dev.aimesh.proxy.headers;

import java.util.ArrayList;
import java.util.List;
import io.netty.handler.codec.http.HttpHeaders;
import dev.aimesh.proxy.filter.HeaderMap;

/** A Netty HTTP/1.x header block (headers or trailers) as filters see it, edited in place. */
public class Http1Headers implements HeaderMap {
    protected final HttpHeaders headers;

    public Http1Headers(HttpHeaders headers) {
        this.headers = headers;
    }

    @Override
    public String get(CharSequence name) {
        return headers.get(name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        return headers.getAll(name);
    }

    @Override
    public boolean contains(CharSequence name) {
        return headers.contains(name);
    }

    @Override
    public void set(CharSequence name, CharSequence value) {
        headers.set(name, value);
    }

    @Override
    public void add(CharSequence name, CharSequence value) {
        headers.add(name, value);
    }

    @Override
    public void remove(CharSequence name) {
        headers.remove(name);
    }

    @Override
    public List<String> names() {
        return new ArrayList<>(headers.names());
    }

    @Override
    public boolean isEmpty() {
        return headers.isEmpty();
    }
}
