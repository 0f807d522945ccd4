package dev.aimesh.proxy.filter;

import java.util.List;

/**
 * The fields of a header block (a request's or response's headers, or trailers), whatever HTTP version
 * carried them: filters read and edit headers through this view only, so one filter serves HTTP/1.1 and
 * HTTP/2 without the block being converted. Names are case-insensitive; pseudo-headers are not fields here.
 */
public interface HeaderMap {
    /** The first value of {@code name}, or null. */
    String get(CharSequence name);

    /** Every value of {@code name}, in order; empty when there is none. */
    List<String> getAll(CharSequence name);

    boolean contains(CharSequence name);

    /** Replaces every value of {@code name} with {@code value}. */
    void set(CharSequence name, CharSequence value);

    /** Adds a value after those {@code name} has. */
    void add(CharSequence name, CharSequence value);

    void remove(CharSequence name);

    /** The field names, once each, in their first order. */
    List<String> names();

    boolean isEmpty();
}
