package dev.aimesh.core.authz;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of one action across policies, in policy order then rule order, indexed by the exact peer
 * principals they name: a request is tested only against the rules that name its principal and those
 * that may match any caller, still in order, so the first match is the same as a scan would find, at the
 * cost of a hash lookup instead of a test per rule.
 */
final class RuleIndex {
    private static final int[] NONE = new int[0];

    /** One rule and where it comes from. */
    record Entry(String policy, int rule, RequestTest test) {}

    private final List<Entry> entries;
    private final Map<String, int[]> byPrincipal;
    private final int[] anyPrincipal;

    RuleIndex(List<Entry> entries, List<Set<String>> principals) {
        this.entries = List.copyOf(entries);
        Map<String, List<Integer>> index = new HashMap<>();
        List<Integer> any = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Set<String> names = principals.get(i);
            if (names == null) {
                any.add(i);
            } else {
                for (String name : names) {
                    index.computeIfAbsent(name, k -> new ArrayList<>()).add(i);
                }
            }
        }
        this.byPrincipal = new HashMap<>();
        index.forEach((name, at) -> byPrincipal.put(name, at.stream().mapToInt(Integer::intValue).toArray()));
        this.anyPrincipal = any.stream().mapToInt(Integer::intValue).toArray();
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The first rule that matches, or null. */
    Entry first(AuthzRequest request) {
        int[] named = request.principal().map(p -> byPrincipal.getOrDefault(p, NONE)).orElse(NONE);
        int a = 0;
        int b = 0;
        while (a < named.length || b < anyPrincipal.length) {
            int next = b >= anyPrincipal.length || (a < named.length && named[a] < anyPrincipal[b]) ? named[a++] : anyPrincipal[b++];
            Entry entry = entries.get(next);
            if (entry.test().test(request)) {
                return entry;
            }
        }
        return null;
    }
}
