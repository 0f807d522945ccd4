package dev.aimesh.core.dlp;

/**
 * International bank account numbers (ISO 13616): a country code, two check digits and the country's BBAN,
 * at the length that country registered, whose mod-97 remainder is 1.
 */
final class Ibans {
    /** Registered IBAN lengths by country, indexed by its two letters (0: none registered). */
    private static final byte[] LENGTHS = lengths("AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 BY28"
            + " CH21 CR22 CY28 CZ24 DE22 DK18 DO28 EE20 EG29 ES24 FI18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28"
            + " IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 MC27 MD24 ME22 MK19 MR27 MT31 MU30"
            + " NL18 NO15 PK24 PL28 PS29 PT25 QA29 RO24 RS22 SA24 SC31 SE24 SI19 SK24 SM27 ST25 SV28 TL23 TN24 TR26 UA29"
            + " VA22 VG24 XK20");

    private Ibans() {}

    private static byte[] lengths(String table) {
        byte[] lengths = new byte[26 * 26];
        for (String entry : table.split(" ")) {
            lengths[(entry.charAt(0) - 'A') * 26 + entry.charAt(1) - 'A'] = Byte.parseByte(entry.substring(2));
        }
        return lengths;
    }

    /** {@code chars[0..length)}: the IBAN without spaces, upper case letters and digits. */
    static boolean valid(byte[] chars, int length) {
        if (chars[0] < 'A' || chars[0] > 'Z' || chars[1] < 'A' || chars[1] > 'Z'
                || LENGTHS[(chars[0] - 'A') * 26 + chars[1] - 'A'] != length) {
            return false;
        }
        int remainder = 0;
        for (int k = 0; k < length; k++) {
            int c = chars[(k + 4) % length]; // the first four move to the end
            if (c >= '0' && c <= '9') {
                remainder = (remainder * 10 + (c - '0')) % 97;
            } else if (c >= 'A' && c <= 'Z') {
                remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
            } else {
                return false;
            }
        }
        return remainder == 1;
    }

    /** The longest registered IBAN. */
    static final int MAX_LENGTH = 34;
}
