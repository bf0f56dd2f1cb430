package org.mailgateway.admin.console;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;

/**
 * How the console answers what the API answers with a problem: not logged in (or the session ended) → to the login
 * page; anything else → an HTML page with the status and the same detail the API would give.
 */
public final class ConsoleErrors {

    private ConsoleErrors() {
    }

    public static Response page(Response.Status status, String detail) {
        return Response.status(status).type(MediaType.TEXT_HTML + ";charset=UTF-8")
                .entity(Pages.error(status.getStatusCode(), status.getReasonPhrase(), detail).render()).build();
    }

    /** 303 to the login page, dropping a cookie whose session has ended. */
    public static Response toLogin(UriInfo uri) {
        return Response.seeOther(URI.create(Console.ROOT + "/login")).cookie(Console.cookie(uri, "", 0)).build();
    }
}
