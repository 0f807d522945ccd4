package dev.aimesh.proxy;

/**
 * Counts since start: connections the listeners accepted, and connections opened and requests sent to
 * the other proxies ({@code peer}) and to the model server ({@code model}).
 */
public record ProxyStats(long inboundConnections, long outboundConnections, long peerConnections, long peerRequests,
        long modelConnections, long modelRequests) {

    /** Prometheus text exposition (version 0.0.4). */
    public String prometheusText() {
        return "# HELP aimesh_proxy_connections_total Connections accepted by a listener or opened to a next hop.\n"
                + "# TYPE aimesh_proxy_connections_total counter\n"
                + "aimesh_proxy_connections_total{side=\"inbound\"} " + inboundConnections + "\n"
                + "aimesh_proxy_connections_total{side=\"outbound\"} " + outboundConnections + "\n"
                + "aimesh_proxy_connections_total{side=\"peer\"} " + peerConnections + "\n"
                + "aimesh_proxy_connections_total{side=\"model\"} " + modelConnections + "\n"
                + "# HELP aimesh_proxy_requests_total Requests sent to a next hop.\n"
                + "# TYPE aimesh_proxy_requests_total counter\n"
                + "aimesh_proxy_requests_total{side=\"peer\"} " + peerRequests + "\n"
                + "aimesh_proxy_requests_total{side=\"model\"} " + modelRequests + "\n";
    }
}
