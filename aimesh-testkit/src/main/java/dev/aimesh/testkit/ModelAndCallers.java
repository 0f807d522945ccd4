package dev.aimesh.testkit;

import dev.aimesh.proxy.Proxy;
import dev.aimesh.proxy.http.ProxyLimits;

/**
 * The cast of most end-to-end tests: a stand-in model behind the proxy of {@code models/model}, and the
 * proxies of two callers, {@code apps/app} and {@code web/site} (the mesh must declare it: {@link TestMesh#SITE}),
 * both knowing where the model's proxy listens. Closed in the reverse order.
 */
public record ModelAndCallers(EchoUpstream model, Proxy server, Proxy app, Proxy site) implements AutoCloseable {
    public static ModelAndCallers start(TestMesh mesh) throws Exception {
        EchoUpstream model = new EchoUpstream().start();
        Proxy server = mesh.serverProxy("models/model", model.address(), false, ProxyLimits.DEFAULTS);
        Proxy app = mesh.clientProxy("apps/app");
        Proxy site = mesh.clientProxy("web/site");
        TestMesh.awaitModelEndpoint(app, site);
        return new ModelAndCallers(model, server, app, site);
    }

    @Override
    public void close() {
        site.close();
        app.close();
        server.close();
        model.close();
    }
}
