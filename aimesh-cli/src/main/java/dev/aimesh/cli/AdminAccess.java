package dev.aimesh.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The admin API's address and token as the CLI is given them, and what its failures tell the user: shared by the
 * {@link AdminClient} of the commands and the {@link ProxyBootstrap} of {@code aimesh proxy}, and free of any HTTP
 * or JSON library, so that a proxy does not load one to use it.
 */
final class AdminAccess {
    private AdminAccess() {}

    /** The admin URL, checked: {@code http://host[:port]}. */
    static URI base(String url) {
        try {
            URI uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, "--control-plane: '" + url
                    + "' is not an admin URL (expected: e.g. http://127.0.0.1:15014)");
        }
    }

    /** The token, read for each request: the control plane writes a new one on every start. */
    static String token(Path tokenFile) {
        try {
            String token = Files.readString(tokenFile).strip();
            if (token.isEmpty()) {
                throw new CliException(ExitCodes.UNAUTHORIZED, tokenFile + ": the admin token file is empty");
            }
            return token;
        } catch (NoSuchFileException e) {
            throw new CliException(ExitCodes.UNAUTHORIZED, tokenFile + ": no admin token there (the control plane writes it"
                    + " to <data-dir>/admin-token when it starts)");
        } catch (IOException e) {
            throw new CliException(ExitCodes.UNAUTHORIZED, tokenFile + ": cannot read the admin token: " + e.getMessage());
        }
    }

    /** A request that reached no control plane. */
    static CliException unreachable(URI base, IOException e) {
        if (e instanceof ConnectException) {
            return new CliException(ExitCodes.UNREACHABLE, "no control plane answers at " + base
                    + " (is it running? pass --control-plane with its admin address)");
        }
        return new CliException(ExitCodes.UNREACHABLE, "cannot talk to the control plane at " + base + ": " + e.getMessage());
    }

    /** An answer of 400 or more, with the message the control plane gave. */
    static CliException refused(int status, String message, Path tokenFile) {
        if (status == 401 && tokenFile == null) {
            return new CliException(ExitCodes.UNAUTHORIZED, "the admin API needs its token: pass --admin-token-file"
                    + " <data-dir>/admin-token of the control plane, or set AIMESH_ADMIN_TOKEN_FILE");
        }
        if (status == 401) {
            return new CliException(ExitCodes.UNAUTHORIZED, "the control plane refused the admin token from " + tokenFile
                    + ": " + message.strip());
        }
        return new CliException(status == 422 ? ExitCodes.CONFIG_INVALID : ExitCodes.FAILED, message.strip());
    }
}
