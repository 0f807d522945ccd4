package dev.aimesh.identity.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RocaFingerprintTest {
    private static final BigInteger G = BigInteger.valueOf(65537);

    /** The product of the odd primes up to 167: the structure ROCA primes share modulo each of them. */
    private static BigInteger primorial() {
        BigInteger m = BigInteger.ONE;
        for (int n = 3; n <= 167; n += 2) {
            if (BigInteger.valueOf(n).isProbablePrime(30)) {
                m = m.multiply(BigInteger.valueOf(n));
            }
        }
        return m;
    }

    @Test
    void recognizesAModulusOfTheInfineonShape() {
        BigInteger m = primorial();
        Random random = new Random(7);
        BigInteger p = new BigInteger(800, random).multiply(m).add(G.modPow(BigInteger.valueOf(1234), m));
        BigInteger q = new BigInteger(800, random).multiply(m).add(G.modPow(BigInteger.valueOf(987), m));

        assertThat(RocaFingerprint.matches(p.multiply(q))).isTrue();
    }

    @Test
    void passesOrdinaryModuli() {
        Random random = new Random(11);
        for (int i = 0; i < 20; i++) {
            BigInteger n = BigInteger.probablePrime(1024, random).multiply(BigInteger.probablePrime(1024, random));
            assertThat(RocaFingerprint.matches(n)).as("modulus %d", i).isFalse();
        }
    }
}
