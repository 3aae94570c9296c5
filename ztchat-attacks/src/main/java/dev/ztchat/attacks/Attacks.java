package dev.ztchat.attacks;

import java.util.List;
import java.util.Optional;

/**
 * Every attack, in the order {@code ztchat attack all} runs them (the flood last: it spends alice's
 * budget).
 */
public final class Attacks {
  private static final List<Attack> ALL =
      List.of(
          new BombAttack(),
          new SpoofAttack(),
          new ReplayAttack(),
          new TamperAttack(),
          new StaleAttack(),
          new KeySubstitutionAttack(),
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
