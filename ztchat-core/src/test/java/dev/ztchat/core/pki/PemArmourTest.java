package dev.ztchat.core.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PemArmourTest {
  private static final byte[] DER =
      "not really DER, just 70 bytes of something to armour in two lines ok?"
          .getBytes(StandardCharsets.US_ASCII);

  @Test
  void encode_writesRfc7468LinesOf64() {
    String pem = PemArmour.encode("CERTIFICATE", DER);

    assertThat(pem.lines().toList()).hasSize(4);
    assertThat(pem)
        .startsWith("-----BEGIN CERTIFICATE-----\n")
        .endsWith("\n-----END CERTIFICATE-----\n");
    assertThat(pem.lines().skip(1).findFirst().orElseThrow()).hasSize(64);
  }

  @Test
  void decode_readsWhatEncodeWrote_withCrLfAndTextAbove() throws IOException {
    String pem =
        "Certificate:\n    Data: ...\n" + PemArmour.encode("X509 CRL", DER).replace("\n", "\r\n");

    assertThat(PemArmour.decode(pem, "X509 CRL", "f")).contains(DER);
  }

  @Test
  void decode_isEmptyForAnotherLabelOrNoBlock() throws IOException {
    assertThat(PemArmour.decode(PemArmour.encode("PRIVATE KEY", DER), "CERTIFICATE", "f"))
        .isEmpty();
    assertThat(PemArmour.decode("just text\n", "CERTIFICATE", "f")).isEmpty();
    assertThat(PemArmour.decode("", "CERTIFICATE", "f")).isEmpty();
  }

  @Test
  void decode_refusesBrokenBase64AndAMissingEnd_namingTheFile() {
    String pem = PemArmour.encode("CERTIFICATE", DER);

    assertThatThrownBy(
            () -> PemArmour.decode(pem.replaceFirst("\n.", "\n*"), "CERTIFICATE", "certs/ca.crt"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("certs/ca.crt")
        .hasMessageContaining("base64");
    assertThatThrownBy(
            () ->
                PemArmour.decode(
                    pem.substring(0, pem.indexOf("-----END")), "CERTIFICATE", "certs/ca.crt"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("certs/ca.crt")
        .hasMessageContaining("no END line");
  }
}
