package dev.aimesh.proxy.filter;

/** A response's head as filters see it: its status and its header fields. */
public interface ResponseHead extends HeaderMap {
    int status();
}
