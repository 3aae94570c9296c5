package dev.ztchat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Starts the peers with their own configuration, in a temporary folder, on 127.0.0.1, with the
 * bench PKI's server certificate and CA (so both sides use the same certificates), or says why not.
 */
final class Peers {
  private Peers() {}

  /** Why a peer is skipped: its program is missing. */
  static String missing(String program) {
    return program + " not installed (bench/run-all.sh installs it), peer skipped";
  }

  /**
   * Mosquitto 2 requiring client certificates, the certificate's CN as user name, with Nagle's
   * algorithm off as the relay has it (Netty's default): otherwise a QoS 0 subscriber, which never
   * writes back, sees small messages held until its delayed TCP acknowledgement (tens of ms).
   */
  static PeerProcess mosquitto(BenchPki pki) throws IOException, InterruptedException {
    Path exe =
        PeerProcess.find("mosquitto").orElseThrow(() -> new IOException(missing("mosquitto")));
    Path dir = pki.newFolder("mosquitto-");
    int port = PeerProcess.freePort();
    var c = pki.layout();
    Files.writeString(
        dir.resolve("mosquitto.conf"),
        String.join(
            "\n",
            "user root",
            "persistence false",
            "log_dest stderr",
            "log_type error",
            "max_connections -1",
            "max_queued_messages 1000",
            "set_tcp_nodelay true",
            "listener " + port + " 127.0.0.1",
            "cafile " + c.caCertificate().toAbsolutePath(),
            "certfile " + c.serverCertificate().toAbsolutePath(),
            "keyfile " + c.serverKey().toAbsolutePath(),
            "require_certificate true",
            "use_identity_as_username true",
            "allow_anonymous false",
            ""));
    return PeerProcess.start(
        "mosquitto",
        List.of(exe.toString(), "-c", dir.resolve("mosquitto.conf").toString()),
        dir,
        port,
        -1);
  }

  /**
   * nginx with two mTLS listeners ({@code ssl_verify_client on}): a stream server that answers each
   * handshake with one line (the handshake bench) and an HTTP server that keeps idle connections
   * open (the capacity bench). Returns the stream port; the HTTP port is the next.
   */
  static PeerProcess nginx(BenchPki pki, int workers) throws IOException, InterruptedException {
    Path exe = PeerProcess.find("nginx").orElseThrow(() -> new IOException(missing("nginx")));
    Path dir = pki.newFolder("nginx-");
    int stream = PeerProcess.freePort();
    int http = PeerProcess.freePort();
    var c = pki.layout();
    String tls =
        "ssl_certificate "
            + c.serverCertificate().toAbsolutePath()
            + "; ssl_certificate_key "
            + c.serverKey().toAbsolutePath()
            + "; ssl_client_certificate "
            + c.caCertificate().toAbsolutePath()
            + "; ssl_verify_client on; ssl_protocols TLSv1.2 TLSv1.3; ssl_session_tickets off;"
            + " ssl_session_cache off;";
    Path module = Path.of("/usr/lib/nginx/modules/ngx_stream_module.so");
    Files.writeString(
        dir.resolve("nginx.conf"),
        String.join(
            "\n",
            Files.exists(module) ? "load_module " + module + ";" : "",
            "daemon off; master_process on; user root; worker_processes " + workers + ";",
            "worker_rlimit_nofile 65536;",
            "pid "
                + dir.resolve("nginx.pid")
                + "; error_log "
                + dir.resolve("error.log")
                + " error;",
            "events { worker_connections 30000; }",
            "stream { server { listen 127.0.0.1:"
                + stream
                + " ssl; "
                + tls
                + " return \"hello\\n\"; } }",
            "http { access_log off; client_body_temp_path "
                + dir
                + "/tmp; proxy_temp_path "
                + dir
                + "/tmp;"
                + " fastcgi_temp_path "
                + dir
                + "/tmp; uwsgi_temp_path "
                + dir
                + "/tmp; scgi_temp_path "
                + dir
                + "/tmp;"
                + " client_header_timeout 600s; keepalive_timeout 600s;",
            "  server { listen 127.0.0.1:"
                + http
                + " ssl; "
                + tls
                + " location / { return 200 \"ok\\n\"; } } }",
            ""));
    return PeerProcess.start(
        "nginx",
        List.of(
            exe.toString(),
            "-p",
            dir.toString(),
            "-e",
            dir.resolve("error.log").toString(),
            "-c",
            dir.resolve("nginx.conf").toString()),
        dir,
        stream,
        http);
  }
}
