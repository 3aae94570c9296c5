package dev.ztchat.bench;

import dev.ztchat.core.protocol.Frame;
import dev.ztchat.core.protocol.FrameCodec;
import dev.ztchat.core.protocol.MalformedFrameException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH micro-benchmark of the frame codec on the relay's hot path: encoding and decoding a {@code
 * send} and a {@code deliver} frame that carry an envelope the size of a sealed 256-byte message
 * for one recipient (about 1.1 KB, base64 in the frame), and a small {@code ack}. The envelope's
 * bytes are random: the codec only base64s them, it never parses the envelope.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FrameCodecBenchmark {
  /** About the size of {@link Envelopes}' envelopes: a 256-byte text sealed with RSA-3072 keys. */
  private static final int ENVELOPE_BYTES = 1120;

  private Frame send;
  private Frame deliver;
  private Frame ack;
  private byte[] sendPayload;
  private byte[] deliverPayload;
  private byte[] ackPayload;

  /** Makes the three frames and their payloads. */
  @Setup(Level.Trial)
  public void setUp() {
    byte[] envelope = new byte[ENVELOPE_BYTES];
    new Random(42).nextBytes(envelope);
    send = new Frame.Send("r-17", envelope);
    deliver = new Frame.Deliver(envelope);
    ack = new Frame.Ack("r-18", "alice", "0123456789abcdef0123456789abcdef");
    sendPayload = FrameCodec.encode(send);
    deliverPayload = FrameCodec.encode(deliver);
    ackPayload = FrameCodec.encode(ack);
  }

  /** A client sending a message. */
  @Benchmark
  public byte[] encodeSend() {
    return FrameCodec.encode(send);
  }

  /** The relay receiving a message. */
  @Benchmark
  public Frame decodeSend() throws MalformedFrameException {
    return FrameCodec.decode(sendPayload);
  }

  /** The relay pushing a message to its recipient. */
  @Benchmark
  public byte[] encodeDeliver() {
    return FrameCodec.encode(deliver);
  }

  /** A client receiving a message. */
  @Benchmark
  public Frame decodeDeliver() throws MalformedFrameException {
    return FrameCodec.decode(deliverPayload);
  }

  /** A client acknowledging a message. */
  @Benchmark
  public byte[] encodeAck() {
    return FrameCodec.encode(ack);
  }

  /** The relay receiving an acknowledgement. */
  @Benchmark
  public Frame decodeAck() throws MalformedFrameException {
    return FrameCodec.decode(ackPayload);
  }
}
