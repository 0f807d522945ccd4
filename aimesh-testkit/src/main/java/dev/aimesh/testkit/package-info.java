/**
 * Fixtures for the end-to-end tests: a test CA, a control plane and proxies on loopback port 0, stand-in
 * models, one test clock, and real clients. Test scope only, and only in modules above the control plane
 * and the proxy (it depends on both; see this module's README for why the lower modules cannot use it).
 */
package dev.aimesh.testkit;
