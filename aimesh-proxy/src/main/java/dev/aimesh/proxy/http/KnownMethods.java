package dev.aimesh.proxy.http;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import io.netty.util.AsciiString;

/** The request methods the proxy serves, the same on HTTP/1.1 and HTTP/2 (IANA's registry, less none). */
public final class KnownMethods {
    private static final Set<AsciiString> METHODS = Stream.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
            "TRACE", "PATCH", "COPY", "LOCK", "MKCOL", "MOVE", "PROPFIND", "PROPPATCH", "SEARCH", "UNLOCK", "BIND", "REBIND",
            "UNBIND", "ACL", "REPORT", "MKACTIVITY", "CHECKOUT", "MERGE", "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE",
            "PURGE", "MKCALENDAR", "LINK", "UNLINK", "QUERY").map(AsciiString::of).collect(Collectors.toUnmodifiableSet());

    private KnownMethods() {}

    public static boolean contains(CharSequence method) {
        return METHODS.contains(AsciiString.of(method));
    }
}
