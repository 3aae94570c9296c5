package dev.ztchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ztchat.client.RelayEndpoints.Endpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RelayEndpointsTest {
  @Test
  void oneRelay_isAListOfOne() {
    RelayEndpoints r = RelayEndpoints.parse("localhost:8443");

    assertThat(r.all()).containsExactly(new Endpoint("localhost", 8443));
    assertThat(r.first()).isEqualTo(new Endpoint("localhost", 8443));
    assertThat(r.toString()).isEqualTo("localhost:8443");
  }

  @Test
  void severalRelays_keepTheirOrder_spacesAroundCommasAllowed() {
    RelayEndpoints r =
        RelayEndpoints.parse("relay1.example.org:8443, 10.0.0.2:9443 ,[2001:db8::7]:8443");

    assertThat(r.all())
        .containsExactly(
            new Endpoint("relay1.example.org", 8443),
            new Endpoint("10.0.0.2", 9443),
            new Endpoint("2001:db8::7", 8443));
    assertThat(r.toString()).isEqualTo("relay1.example.org:8443,10.0.0.2:9443,[2001:db8::7]:8443");
    assertThat(RelayEndpoints.parse(r.toString())).isEqualTo(r);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''|relay 1 is empty",
        "',a:1'|relay 1 is empty",
        "'a:1,'|relay 2 is empty",
        "'a:1,,b:2'|relay 2 is empty",
        "'a:1, ,b:2'|relay 2 is empty"
      })
  void emptyEntry_isRefused_namingItsPosition(String list, String message) {
    assertThatThrownBy(() -> RelayEndpoints.parse(list))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a:0", "a:65536", "a:-1", "a:http", "a:8443x", "a:99999999999"})
  void badPort_isRefused_sayingTheRange(String entry) {
    assertThatThrownBy(() -> RelayEndpoints.parse("ok:1," + entry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("relay 2 ('" + entry + "')")
        .hasMessageContaining("the port must be a number from 1 to 65535");
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "localhost:", ":8443"})
  void missingHostOrPort_isRefused_withAnExample(String entry) {
    assertThatThrownBy(() -> RelayEndpoints.parse(entry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be HOST:PORT, e.g. localhost:8443");
  }

  @Test
  void ipv6WithoutBrackets_isRefused_sayingHowToWriteIt() {
    assertThatThrownBy(() -> RelayEndpoints.parse("::1:8443"))
        .hasMessageContaining("write an IPv6 address in brackets");
  }

  @Test
  void hostWithOtherCharacters_isRefused_andShownWithoutControlCharacters() {
    assertThatThrownBy(() -> RelayEndpoints.parse("a/b:1,evil\u001b[2J:8443"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the host is not a host name or address")
        .hasMessageNotContaining("\u001b");
  }

  @Test
  void sameRelayTwice_isRefused_evenInAnotherCase() {
    assertThatThrownBy(() -> RelayEndpoints.parse("relay1:8443,relay2:8443,RELAY1:8443"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("relay RELAY1:8443 is listed twice: give each relay once");
  }

  @Test
  void sameHostOnAnotherPort_isAnotherRelay() {
    assertThat(RelayEndpoints.parse("localhost:8443,localhost:8444").size()).isEqualTo(2);
  }

  @Test
  void moreThanTheMaximum_isRefused() {
    StringBuilder list = new StringBuilder("h:1");
    for (int port = 2; port <= RelayEndpoints.MAX_RELAYS + 1; port++) {
      list.append(",h:").append(port);
    }

    assertThatThrownBy(() -> RelayEndpoints.parse(list.toString()))
        .hasMessage("17 relays given: at most 16 are allowed");
  }
}
