package dev.aimesh.core.dlp;

/** The names a secret goes by in {@code name=value} text and JSON, and the prefixes of AWS access key IDs. */
final class SecretNames {
    private static final String[] NAMES = {"key", "token", "secret", "password", "passwd", "pwd", "apikey", "api_key", "api-key",
        "access_token", "auth_token", "refresh_token", "secret_key", "private_key", "client_secret", "access_key", "credentials"};
    private static final String[] SUFFIXES = {"_key", "-key", "_token", "-token", "_secret", "-secret", "_password"};
    private static final String[] AWS = {"AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA"};

    private SecretNames() {}

    /** Whether {@code b[from..to)}, ignoring ASCII case, names a secret. */
    static boolean named(byte[] b, int from, int to) {
        int len = to - from;
        if (len < 3 || len > 40) {
            return false;
        }
        for (String name : NAMES) {
            if (name.length() == len && equalsIgnoreCase(b, from, name)) {
                return true;
            }
        }
        for (String suffix : SUFFIXES) {
            if (len > suffix.length() && equalsIgnoreCase(b, to - suffix.length(), suffix)) {
                return true;
            }
        }
        return false;
    }

    static boolean awsPrefix(byte[] b, int at) {
        for (String prefix : AWS) {
            if (equalsIgnoreCase(b, at, prefix) && b[at] == prefix.charAt(0) && b[at + 1] == prefix.charAt(1)
                    && b[at + 2] == prefix.charAt(2) && b[at + 3] == prefix.charAt(3)) {
                return true;
            }
        }
        return false;
    }

    private static boolean equalsIgnoreCase(byte[] b, int at, String s) {
        for (int k = 0; k < s.length(); k++) {
            int c = b[at + k];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            int e = s.charAt(k);
            if (e >= 'A' && e <= 'Z') {
                e += 'a' - 'A';
            }
            if (c != e) {
                return false;
            }
        }
        return true;
    }
}
