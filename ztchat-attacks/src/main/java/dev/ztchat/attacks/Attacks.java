package dev.ztchat.attacks;

import java.util.List;
import java.util.Optional;

/**
 * Every attack, in the order {@code ztchat attack all} runs them (the flood last: it spends alice's
 * budget). Attacks on an end-to-end claim that both envelope versions make run against version-1
 * victims and version-2 victims ({@link BothVersions}).
 */
public final class Attacks {
  private static final List<Attack> ALL =
      List.of(
          new BombAttack(),
          new SpoofAttack(),
          new BothVersions(new ReplayAttack(), new ReplayV2Attack()),
          new BothVersions(new TamperAttack(), new TamperV2Attack()),
          new BothVersions(new StaleAttack(), new StaleV2Attack()),
          new BothVersions(new KeySubstitutionAttack(), new KeySubstitutionV2Attack()),
          new GhostDeviceAttack(),
          new HiddenDeviceAttack(),
          new RemovedMemberAttack(),
          new GroupSpoofAttack(),
          new ForwardSecrecyAttack(),
          new EnvelopeDowngradeAttack(),
          new DropAttack(),
          new HandshakeAttack(HandshakeAttack.Kind.NO_CERT),
          new HandshakeAttack(HandshakeAttack.Kind.ROGUE_CA),
          new HandshakeAttack(HandshakeAttack.Kind.EXPIRED),
          new HandshakeAttack(HandshakeAttack.Kind.WRONG_EKU),
          new HandshakeAttack(HandshakeAttack.Kind.REVOKED),
          new DowngradeAttack(),
          new MalformedAttack(),
          new PrekeyExhaustionAttack(),
          new SlowlorisAttack(),
          new MailboxFillAttack(),
          new ConnectionFloodAttack(),
          new FloodAttack());

  private Attacks() {}

  public static List<Attack> all() {
    return ALL;
  }

  public static Optional<Attack> byName(String name) {
    return ALL.stream().filter(a -> a.name().equals(name)).findFirst();
  }

  public static List<String> names() {
    return ALL.stream().map(Attack::name).toList();
  }
}
