package dev.aimesh.identity.x509;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DEROctetString;
import org.junit.jupiter.api.Test;

class DerTest {
    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    @Test
    void objectIdentifiersReadAsBouncyCastleWritesThem() throws Exception {
        for (String oid : new String[] {"1.2.840.10045.3.1.7", "1.3.132.0.34", "2.5.29.30", "0.9.2342.19200300.100.1.1",
                "2.999.3", "1.3.6.1.4.1.311.21.20", "1.2.840.113549.1.1.10"}) {
            assertThat(Der.read(new ASN1ObjectIdentifier(oid).getEncoded()).oid()).isEqualTo(oid);
        }
    }

    @Test
    void aSequenceListsItsChildrenWithLongLengths() throws Exception {
        byte[] big = new byte[300];
        byte[] der = new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {new ASN1ObjectIdentifier("1.2.3"),
                new DEROctetString(big)}).getEncoded();
        Der.Element sequence = Der.read(der);
        assertThat(sequence.tag()).isEqualTo(Der.SEQUENCE);
        assertThat(sequence.children()).hasSize(2);
        assertThat(sequence.children().get(0).oid()).isEqualTo("1.2.3");
        assertThat(sequence.children().get(1).tag()).isEqualTo(Der.OCTET_STRING);
        assertThat(sequence.children().get(1).content()).isEqualTo(big);
    }

    @Test
    void malformedEncodingsAreRefused() {
        assertThatThrownBy(() -> Der.read(hex("30"))).hasMessageContaining("truncated");
        assertThatThrownBy(() -> Der.read(hex("3005020100"))).hasMessageContaining("beyond the data");
        assertThatThrownBy(() -> Der.read(hex("3080020100 0000".replace(" ", "")))).hasMessageContaining("indefinite");
        assertThatThrownBy(() -> Der.read(hex("30810100"))).hasMessageContaining("shortest form");
        assertThatThrownBy(() -> Der.read(hex("300002"))).hasMessageContaining("bytes after");
        assertThatThrownBy(() -> Der.read(hex("1f2100"))).hasMessageContaining("multi-byte");
        assertThatThrownBy(() -> Der.read(hex("30030201")).children()).hasMessageContaining("beyond the data");
        assertThatThrownBy(() -> Der.read(hex("060188")).oid()).hasMessageContaining("ends inside an arc");
        assertThatThrownBy(() -> Der.read(hex("06022a81")).oid()).hasMessageContaining("ends inside an arc");
        assertThatThrownBy(() -> Der.read(hex("0603 2a 80 01".replace(" ", ""))).oid()).hasMessageContaining("leading zero");
        assertThatThrownBy(() -> Der.read(hex("0400")).oid()).hasMessageContaining("not an object identifier");
    }
}
