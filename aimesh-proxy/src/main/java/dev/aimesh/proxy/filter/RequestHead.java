package dev.aimesh.proxy.filter;

/**
 * A request's head as filters see it: the parts HTTP/2 carries as pseudo-headers (method, authority, scheme,
 * path) and the header fields. HTTP/1.1's request target is the path here; its Host header is the authority.
 */
public interface RequestHead extends HeaderMap {
    String method();

    /** {@code host[:port]} (HTTP/2's {@code :authority}, else the Host header), or null when the request names none. */
    String authority();

    void setAuthority(String authority);

    /** {@code http} or {@code https} as the hop was; HTTP/1.1 has no scheme in origin form, so it is the connection's. */
    String scheme();

    /** The request target as sent: a path with its query (or, from an HTTP proxy client, an absolute URI). */
    String path();

    void setPath(String path);
}
