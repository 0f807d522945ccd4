package dev.aimesh.core.authz;

/** One compiled test on a request: a value of a rule field or a condition. */
@FunctionalInterface
public interface RequestTest {
    boolean test(AuthzRequest request);
}
