package io.sextant.server.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.sextant.translator.ProxyContext;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * One ADS stream and what has happened on it: per type, the last response sent, the last version
 * the proxy accepted, and the last rejection. Guarded by its own monitor.
 */
public final class ProxyConnection {
  /** How many recent nonces are remembered per type to look up the version a NACK rejects. */
  private static final int REMEMBERED_NONCES = 8;

  private final long streamId;
  private final boolean delta;
  private final Instant connectedAt;
  private Node node;
  private ProxyContext proxy;
  private final Map<XdsType, TypeState> types = new EnumMap<>(XdsType.class);

  ProxyConnection(long streamId, boolean delta, Instant connectedAt) {
    this.streamId = streamId;
    this.delta = delta;
    this.connectedAt = connectedAt;
  }

  /** Per-type protocol state, as shown by {@code /debug/syncz}. */
  public static final class TypeState {
    String sentVersion = "";
    String sentNonce = "";
    Instant sentAt;
    String ackedVersion = "";
    String nackedVersion = "";
    String nackMessage = "";
    int responses;
    int nacks;

    /**
     * The last nonces sent and their versions, a ring written at {@code next}: a response is sent
     * thousands of times a second across proxies, so no map entry per response.
     */
    final String[] recentNonces = new String[REMEMBERED_NONCES];

    final String[] recentVersions = new String[REMEMBERED_NONCES];
    int next;

    String versionOf(String nonce) {
      for (int i = 0; i < REMEMBERED_NONCES; i++) {
        if (nonce.equals(recentNonces[i])) {
          return recentVersions[i];
        }
      }
      return "";
    }

    public String sentVersion() {
      return sentVersion;
    }

    public String sentNonce() {
      return sentNonce;
    }

    public String ackedVersion() {
      return ackedVersion;
    }

    public String nackedVersion() {
      return nackedVersion;
    }

    public String nackMessage() {
      return nackMessage;
    }

    public int responses() {
      return responses;
    }

    public int nacks() {
      return nacks;
    }
  }

  public long streamId() {
    return streamId;
  }

  public boolean delta() {
    return delta;
  }

  public Instant connectedAt() {
    return connectedAt;
  }

  public synchronized Node node() {
    return node;
  }

  public synchronized ProxyContext proxy() {
    return proxy;
  }

  public synchronized String id() {
    return proxy == null ? "" : proxy.id();
  }

  /** Records the node of the stream's first request; false if it carried none. */
  synchronized boolean identify(Node n) {
    if (proxy != null) {
      return true;
    }
    if (n.getId().isEmpty() && n.getCluster().isEmpty()) {
      return false;
    }
    node = n;
    proxy = ProxyContext.fromNode(n);
    return true;
  }

  synchronized void sent(XdsType type, String version, String nonce, Instant at) {
    TypeState s = types.computeIfAbsent(type, t -> new TypeState());
    s.sentVersion = version;
    s.sentNonce = nonce;
    s.sentAt = at;
    s.responses++;
    s.recentNonces[s.next] = nonce;
    s.recentVersions[s.next] = version;
    s.next = (s.next + 1) % REMEMBERED_NONCES;
  }

  synchronized void acked(XdsType type, String version) {
    types.computeIfAbsent(type, t -> new TypeState()).ackedVersion = version;
  }

  /** Records a rejection; returns the version that was rejected (empty if unknown). */
  synchronized String nacked(XdsType type, String nonce, String message) {
    TypeState s = types.computeIfAbsent(type, t -> new TypeState());
    String version = s.versionOf(nonce);
    s.nackedVersion = version;
    s.nackMessage = message;
    s.nacks++;
    return version;
  }

  /** A copy of the per-type state. */
  public synchronized Map<XdsType, TypeState> types() {
    Map<XdsType, TypeState> copy = new EnumMap<>(XdsType.class);
    types.forEach(
        (t, s) -> {
          TypeState c = new TypeState();
          c.sentVersion = s.sentVersion;
          c.sentNonce = s.sentNonce;
          c.sentAt = s.sentAt;
          c.ackedVersion = s.ackedVersion;
          c.nackedVersion = s.nackedVersion;
          c.nackMessage = s.nackMessage;
          c.responses = s.responses;
          c.nacks = s.nacks;
          copy.put(t, c);
        });
    return copy;
  }
}
