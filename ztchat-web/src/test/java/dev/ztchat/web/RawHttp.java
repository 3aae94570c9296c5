package dev.ztchat.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A plain HTTP/1.1 client over a socket, for tests that must send what a browser would not (a
 * foreign Host, a hostile Origin): one request per connection, the answer's status, headers and
 * body.
 */
final class RawHttp {
  private RawHttp() {}

  record Response(int status, Map<String, List<String>> headers, String body) {
    String header(String name) {
      List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
      return v == null ? null : v.getFirst();
    }
  }

  static Response request(int port, String method, String target, String... headerLines)
      throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(10_000);
      StringBuilder req = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
      boolean hasHost = false;
      boolean hasConnection = false;
      for (String h : headerLines) {
        hasHost |= h.regionMatches(true, 0, "Host:", 0, 5);
        hasConnection |= h.regionMatches(true, 0, "Connection:", 0, 11);
        req.append(h).append("\r\n");
      }
      if (!hasHost) {
        req.append("Host: 127.0.0.1:").append(port).append("\r\n");
      }
      req.append(hasConnection ? "\r\n" : "Connection: close\r\n\r\n");
      OutputStream out = s.getOutputStream();
      out.write(req.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      return read(s.getInputStream());
    }
  }

  static Response get(int port, String target, String... headerLines) throws IOException {
    return request(port, "GET", target, headerLines);
  }

  private static Response read(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the server closed the connection before its answer ended");
      }
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, List<String>> headers = new HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers
            .computeIfAbsent(
                lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                k -> new ArrayList<>())
            .add(lines[i].substring(colon + 1).strip());
      }
    }
    String length =
        headers.containsKey("content-length") ? headers.get("content-length").getFirst() : "0";
    byte[] body = in.readNBytes(Integer.parseInt(length));
    return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
  }
}
