package dev.ztchat.attacks;

import dev.ztchat.core.pki.CertificateIssuer;
import dev.ztchat.core.pki.CertificateRejectedException;
import dev.ztchat.core.pki.CertificateRole;
import dev.ztchat.core.pki.CertificateVerifier;
import dev.ztchat.core.pki.Credential;
import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.MalformedFrameException;
import dev.ztchat.core.session.DeviceKey;
import dev.ztchat.core.session.InitiatorStart;
import dev.ztchat.core.session.MalformedSessionDataException;
import dev.ztchat.core.session.PrekeyBundle;
import dev.ztchat.core.session.PrekeyStore;
import dev.ztchat.core.session.SessionInitiator;
import dev.ztchat.core.session.SessionResponder;
import dev.ztchat.core.session.SessionSetupException;
import dev.ztchat.core.session.SignedPrekey;
import dev.ztchat.core.testkit.RawFrameClient;
import dev.ztchat.server.SecurityEvent;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code prekey-exhaustion}: one identity (mallory) drains a victim's one-time prekeys through the
 * relay (docs/v2/prekeys.md section 5). The victim (carol, with a device certificate minted for the
 * attack, so the relay starts from a fresh device) publishes prekeys from a {@link PrekeyStore} the
 * harness holds, as a version-2 client would; mallory asks for her bundle again and again; then bob
 * fetches a bundle and completes a session setup with carol's store. The verdict is {@link
 * PrekeyDrainRecord#judge}.
 *
 * <p>Against a live relay this replaces carol's published device until her client publishes again.
 */
final class PrekeyExhaustionAttack implements Attack {
  static final String ATTACKER = "mallory";
  static final String VICTIM = "carol";
  static final String LEGITIMATE = "bob";

  /** One-time prekeys of one user one identity may take at once (docs/v2/prekeys.md 5). */
  static final int DRAIN_BURST = 3;

  private static final int ONE_TIME = 6;
  private static final int DRAIN_REQUESTS = 8;
  private static final Duration ANSWER = Duration.ofSeconds(10);
  private static final HexFormat HEX = HexFormat.of();

  private final SecureRandom random = new SecureRandom();

  @Override
  public String name() {
    return "prekey-exhaustion";
  }

  @Override
  public String whatIsTried() {
    return ATTACKER
        + " asks the relay "
        + DRAIN_REQUESTS
        + " times for "
        + VICTIM
        + "'s prekey bundle, to use up her "
        + ONE_TIME
        + " one-time prekeys; then "
        + LEGITIMATE
        + " starts a session with her";
  }

  @Override
  public String expectedDefence() {
    return "each one-time prekey is handed out once; after "
        + DRAIN_BURST
        + " the drain limit gives "
        + ATTACKER
        + " the last-resort prekey and logs PREKEY_DRAIN; "
        + LEGITIMATE
        + "'s session still starts";
  }

  @Override
  public Verdict run(AttackTarget target) throws Exception {
    return observe(target).judge(ATTACKER);
  }

  /** Stages the attack and records what the relay did. */
  PrekeyDrainRecord observe(AttackTarget target) throws Exception {
    Credential ca = target.caCredential();
    Instant now = Instant.now();
    DeviceKey carol = deviceKey(ca, VICTIM, now);
    DeviceKey bob = deviceKey(ca, LEGITIMATE, now);
    PrekeyStore store = PrekeyStore.generate(carol, ONE_TIME, now, random);
    List<String> published = new ArrayList<>();
    for (SignedPrekey p : store.oneTimePrekeys()) {
      published.add(HEX.formatHex(p.encode()));
    }
    String lastResort = HEX.formatHex(store.lastResortPrekey().encode());

    try (RawFrameClient victim = AttackConnections.welcomed(target, VICTIM)) {
      if (!victim.welcome().routes(2)) {
        throw new CouldNotRunException("the relay does not route version 2: it keeps no prekeys");
      }
      publish(victim, carol, store);
    }

    List<PrekeyDrainRecord.Handout> handouts = new ArrayList<>();
    long before = target.count(SecurityEvent.PREKEY_DRAIN);
    try (RawFrameClient mallory = attacker(target)) {
      for (int i = 0; i < DRAIN_REQUESTS; i++) {
        handouts.add(handout(mallory, ATTACKER, "drain" + i).handout());
      }
    }
    long drainEvents = before < 0 ? -1 : target.count(SecurityEvent.PREKEY_DRAIN) - before;

    String sessionFailure;
    try (RawFrameClient legitimate = AttackConnections.welcomed(target, LEGITIMATE)) {
      Fetched fetched = handout(legitimate, LEGITIMATE, "session");
      handouts.add(fetched.handout());
      sessionFailure =
          fetched.bundle() == null
              ? "the relay answered " + fetched.handout().error()
              : startSession(target, bob, carol, store, fetched.bundle(), now);
    }
    return new PrekeyDrainRecord(
        published, lastResort, handouts, DRAIN_BURST, drainEvents, sessionFailure);
  }

  private DeviceKey deviceKey(Credential ca, String user, Instant now)
      throws SessionSetupException {
    Credential device =
        CertificateIssuer.issueDevice(
            ca, user, now.minus(Duration.ofMinutes(5)), Duration.ofDays(1), null);
    return new DeviceKey(device.privateKey(), device.certificate());
  }

  /** Connects as the attacker: its identity from the certs folder, or one minted by the CA. */
  private static RawFrameClient attacker(AttackTarget target) throws Exception {
    if (Files.isRegularFile(target.certs().signingCertificate(ATTACKER))) {
      return AttackConnections.welcomed(target, ATTACKER);
    }
    Credential minted =
        CertificateIssuer.issueLeaf(
            target.caCredential(),
            ATTACKER,
            CertificateRole.USER_SIGNING,
            2048,
            Instant.now().minus(Duration.ofMinutes(5)),
            Duration.ofDays(1));
    return AttackConnections.welcomed(target, ATTACKER, minted);
  }

  /** Publishes the device, its signed and last-resort prekeys, then the one-time prekeys. */
  private static void publish(RawFrameClient c, DeviceKey device, PrekeyStore store)
      throws Exception {
    String id = HEX.formatHex(device.certificateHash());
    byte[] der;
    try {
      der = device.certificate().getEncoded();
    } catch (CertificateEncodingException e) {
      throw new CouldNotRunException("the minted device certificate cannot be encoded");
    }
    expectStock(
        c,
        new Frame.PublishPrekeys(
            "pub0",
            id,
            der,
            store.signedPrekey().encode(),
            store.lastResortPrekey().encode(),
            List.of()));
    // 1265-byte prekeys are 1688 characters of base64: as many per frame as the limit allows
    int perFrame = Math.max(1, Math.min(8, (c.welcome().maxFrame() - 256) / 1700));
    List<SignedPrekey> oneTime = store.oneTimePrekeys();
    for (int i = 0; i < oneTime.size(); i += perFrame) {
      List<byte[]> batch = new ArrayList<>();
      for (SignedPrekey p : oneTime.subList(i, Math.min(oneTime.size(), i + perFrame))) {
        batch.add(p.encode());
      }
      expectStock(c, new Frame.PublishPrekeys("pub" + (i + 1), id, null, null, null, batch));
    }
  }

  private static void expectStock(RawFrameClient c, Frame.PublishPrekeys request) throws Exception {
    Frame f = answer(c, request);
    if (!(f instanceof Frame.PrekeyStock)) {
      throw new CouldNotRunException(
          "the relay refused the victim's prekeys: " + describe(f) + " (is it a v2 relay?)");
    }
  }

  /** A bundle answer, or the error that came instead. */
  private record Fetched(PrekeyDrainRecord.Handout handout, Frame.PrekeyBundle bundle) {}

  private static Fetched handout(RawFrameClient c, String requester, String ref) throws Exception {
    Frame f = answer(c, new Frame.BundleRequest(ref, VICTIM));
    if (f instanceof Frame.PrekeyBundle b) {
      return new Fetched(
          PrekeyDrainRecord.Handout.bundle(requester, HEX.formatHex(b.kemPrekey()), b.lastResort()),
          b);
    }
    return new Fetched(PrekeyDrainRecord.Handout.refused(requester, describe(f)), null);
  }

  /**
   * What a legitimate user does with a bundle: checks carol's certificate against the CA and the
   * bundle's signatures, starts a session, and carol's device accepts it. Null when both sides hold
   * the same key; otherwise why not.
   */
  private static String startSession(
      AttackTarget target,
      DeviceKey bob,
      DeviceKey carol,
      PrekeyStore store,
      Frame.PrekeyBundle answer,
      Instant now) {
    try {
      PrekeyBundle bundle =
          new PrekeyBundle(
              answer.certificate(),
              SignedPrekey.decode(answer.signedPrekey()),
              SignedPrekey.decode(answer.kemPrekey()));
      new CertificateVerifier(target.caCertificate())
          .verify(bundle.certificate(), VICTIM, CertificateRole.DEVICE, now);
      InitiatorStart start = SessionInitiator.start(bob, bundle, new SecureRandom());
      SessionResponder.Accepted accepted =
          SessionResponder.accept(store, carol, bob.certificate(), start.header());
      accepted.commit();
      byte[] a = start.sk();
      byte[] b = accepted.start().sk();
      boolean same = MessageDigest.isEqual(a, b);
      Arrays.fill(a, (byte) 0);
      Arrays.fill(b, (byte) 0);
      start.destroy();
      accepted.start().destroy();
      return same ? null : "the two sides derived different session keys";
    } catch (MalformedSessionDataException
        | CertificateRejectedException
        | SessionSetupException
        | IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  /** Sends {@code request} and returns the frame that answers its ref (or an error without one). */
  private static Frame answer(RawFrameClient c, Frame request) throws Exception {
    c.send(request);
    long deadline = System.nanoTime() + ANSWER.toNanos();
    while (System.nanoTime() < deadline) {
      Frame f;
      try {
        f = c.read(ANSWER);
      } catch (MalformedFrameException e) {
        continue; // not an answer to us
      } catch (SocketTimeoutException e) {
        break;
      } catch (IOException e) {
        throw new CouldNotRunException(
            "the relay closed the connection while " + request.type() + " waited for its answer");
      }
      if (request.ref().equals(f.ref()) || (f instanceof Frame.Error e && e.ref() == null)) {
        return f;
      }
    }
    throw new CouldNotRunException("no answer to " + request.type() + " within " + ANSWER);
  }

  private static String describe(Frame f) {
    return f instanceof Frame.Error e
        ? "error " + e.code().wire() + " (" + e.message() + ")"
        : f.type();
  }
}
