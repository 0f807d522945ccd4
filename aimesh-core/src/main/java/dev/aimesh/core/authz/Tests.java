package dev.aimesh.core.authz;

import java.util.List;

/** Loops over tests without iterators or streams: they run on every request. */
final class Tests {
    private Tests() {}

    static boolean any(List<? extends RequestTest> tests, AuthzRequest request) {
        for (int i = 0, n = tests.size(); i < n; i++) {
            if (tests.get(i).test(request)) {
                return true;
            }
        }
        return false;
    }

    static boolean all(List<? extends RequestTest> tests, AuthzRequest request) {
        for (int i = 0, n = tests.size(); i < n; i++) {
            if (!tests.get(i).test(request)) {
                return false;
            }
        }
        return true;
    }
}
