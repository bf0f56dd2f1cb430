package org.mailgateway.contracts;

import java.security.SecureRandom;

/**
 * Message ids: 26 characters of Crockford base32 (the ULID layout), 48 bits of milliseconds then 80 random
 * bits. They sort by time, are safe in URLs, file names and SMTP replies, and never repeat in practice.
 */
public final class MessageIds {

    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private MessageIds() {
    }

    public static String next() {
        return of(System.currentTimeMillis(), RANDOM);
    }

    static String of(long epochMillis, java.util.Random random) {
        char[] id = new char[26];
        long time = epochMillis;
        for (int i = 9; i >= 0; i--) {
            id[i] = ALPHABET[(int) (time & 31)];
            time >>>= 5;
        }
        byte[] entropy = new byte[10];
        random.nextBytes(entropy);
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 5; i++) {
            hi = (hi << 8) | (entropy[i] & 0xff);
            lo = (lo << 8) | (entropy[i + 5] & 0xff);
        }
        for (int i = 0; i < 8; i++) {
            id[17 - i] = ALPHABET[(int) (hi & 31)];
            hi >>>= 5;
            id[25 - i] = ALPHABET[(int) (lo & 31)];
            lo >>>= 5;
        }
        return new String(id);
    }

    /** True for a string that has the shape of an id made here (used to validate input from the outside). */
    public static boolean isValid(String candidate) {
        if (candidate == null || candidate.length() != 26) {
            return false;
        }
        for (int i = 0; i < 26; i++) {
            if (indexOf(candidate.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(char c) {
        for (int i = 0; i < ALPHABET.length; i++) {
            if (ALPHABET[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
