package dev.ztchat.client;

import static java.util.Objects.requireNonNull;

import dev.ztchat.core.pki.CertsLayout;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.pki.CrlFiles;
import dev.ztchat.core.pki.PemFiles;
import dev.ztchat.core.pki.UserIdentity;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads this device's keys again from where they came from, so that a running client can carry on
 * after the administrator renewed them ({@code pki renew}): the relay then refuses the old
 * certificate, and the client looks here for newer keys (docs/PROTOCOL.md section 10).
 */
public interface KeyReload {
  /** The keys stored now: the same as the running ones, or newer ones after a renewal. */
  StoredKeys read() throws IOException;

  /** Where the keys are read from, for the user ("copy the new keys into ..."). */
  String location();

  /**
   * What {@link #read} found: the identity, the earlier encryption keys kept after renewals, and
   * the CA's revocation list kept beside them, if any (null; it tells a renewal from a revocation).
   */
  record StoredKeys(UserIdentity me, List<Credential> previousEncryption, X509CRL crl) {
    public StoredKeys {
      requireNonNull(me, "me");
      previousEncryption = List.copyOf(previousEncryption);
    }
  }

  /**
   * The keys of {@code name} in a certs folder as {@code pki issue|renew|export} writes it: {@code
   * users/NAME/}, earlier encryption keys under {@code users/NAME/previous/SERIAL/}, and {@code
   * ca.crl}.
   */
  static KeyReload fromCertsFolder(Path certs, String name) {
    CertsLayout layout = new CertsLayout(certs);
    return new KeyReload() {
      @Override
      public StoredKeys read() throws IOException {
        UserIdentity me = layout.readUser(name);
        List<Credential> previous = new ArrayList<>();
        for (Path old : layout.previousIdentityDirs(name)) {
          try {
            previous.add(
                new Credential(
                    PemFiles.readCertificate(old.resolve("encryption.crt")),
                    PemFiles.readPrivateKey(old.resolve("encryption.key"))));
          } catch (IOException e) {
            // an incomplete previous identity cannot help; skip it
          }
        }
        X509CRL crl;
        try {
          crl = CrlFiles.read(layout.crl());
        } catch (IOException e) {
          crl = null; // optional: without it a renewal is only recognised by the new keys
        }
        return new StoredKeys(me, previous, crl);
      }

      @Override
      public String location() {
        return layout.userDir(name).toAbsolutePath().toString();
      }
    };
  }
}
