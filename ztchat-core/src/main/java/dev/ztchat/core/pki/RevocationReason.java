package dev.ztchat.core.pki;

import org.bouncycastle.asn1.x509.CRLReason;

/** Why a certificate was revoked: the standard X.509 reason codes ztchat offers. */
public enum RevocationReason {
  UNSPECIFIED("unspecified", CRLReason.unspecified),
  KEY_COMPROMISE("keyCompromise", CRLReason.keyCompromise),
  AFFILIATION_CHANGED("affiliationChanged", CRLReason.affiliationChanged),
  SUPERSEDED("superseded", CRLReason.superseded),
  CESSATION_OF_OPERATION("cessationOfOperation", CRLReason.cessationOfOperation);

  private final String cliName;
  private final int code;

  RevocationReason(String cliName, int code) {
    this.cliName = cliName;
    this.code = code;
  }

  /** The name used on the command line and by {@code openssl crl -text}. */
  public String cliName() {
    return cliName;
  }

  int code() {
    return code;
  }

  /** The reason for a command-line name, or an error listing the names. */
  public static RevocationReason parse(String name) {
    for (RevocationReason r : values()) {
      if (r.cliName.equalsIgnoreCase(name)) {
        return r;
      }
    }
    StringBuilder names = new StringBuilder();
    for (RevocationReason r : values()) {
      names.append(names.isEmpty() ? "" : ", ").append(r.cliName);
    }
    throw new IllegalArgumentException(
        "unknown revocation reason '" + name + "': use one of " + names);
  }
}
