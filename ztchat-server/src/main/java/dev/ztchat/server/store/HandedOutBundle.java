package dev.ztchat.server.store;

/**
 * A bundle taken from the store: the device's signed prekey and one ML-KEM-768 prekey, each as the
 * device published it. A one-time prekey in it is already deleted from the store (and committed):
 * it is never handed out again. {@code lastResort} says the KEM prekey is the last-resort one.
 */
public record HandedOutBundle(byte[] signedPrekey, byte[] kemPrekey, boolean lastResort) {
  public HandedOutBundle {
    signedPrekey = signedPrekey.clone();
    kemPrekey = kemPrekey.clone();
  }

  @Override
  public byte[] signedPrekey() {
    return signedPrekey.clone();
  }

  @Override
  public byte[] kemPrekey() {
    return kemPrekey.clone();
  }
}
