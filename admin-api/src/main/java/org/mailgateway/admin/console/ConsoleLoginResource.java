package org.mailgateway.admin.console;

import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.mailgateway.admin.security.ApiKey;
import org.mailgateway.admin.security.ApiKeys;
import org.mailgateway.admin.security.ConsoleSessions;
import org.mailgateway.admin.security.Roles;

/** The console's front door: the login page (an API key in, a session cookie out) and the logout. */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
public class ConsoleLoginResource {

    private static final Logger LOG = Logger.getLogger(ConsoleLoginResource.class);
    /** Longer than any key this service accepts; a longer form value is not even hashed. */
    static final int MAX_KEY_LENGTH = 512;

    private final ApiKeys keys;
    private final ConsoleSessions sessions;
    private final Console console;

    public ConsoleLoginResource(ApiKeys keys, ConsoleSessions sessions, Console console) {
        this.keys = keys;
        this.sessions = sessions;
        this.console = console;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    public Response home() {
        return Response.seeOther(URI.create(Console.ROOT + "/quarantine")).build();
    }

    @GET
    @Path("/login")
    @PermitAll
    public TemplateInstance loginPage() {
        return Pages.login(null);
    }

    /** A valid key opens a session (the cookie carries its random id); a wrong one shows the form again with 401. */
    @POST
    @Path("/login")
    @PermitAll
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> login(@FormParam("key") String key, @Context UriInfo uri) {
        Uni<Optional<ApiKey>> identified = key == null || key.length() > MAX_KEY_LENGTH ? Uni.createFrom().item(Optional.empty())
                : keys.identify(key.strip());
        return identified.chain(found -> found.isEmpty()
                ? Uni.createFrom().item(Response.status(Response.Status.UNAUTHORIZED).type(MediaType.TEXT_HTML_TYPE)
                        .entity(Pages.login("That is not a valid API key.").render()).build())
                : sessions.open(found.get()).map(session -> {
                    LOG.infof("console login of %s (%s)", found.get().name(), found.get().role());
                    return Response.seeOther(URI.create(Console.ROOT + "/quarantine"))
                            .cookie(Console.cookie(uri, session.id(), sessions.timeout().toSeconds())).build();
                }));
    }

    @POST
    @Path("/logout")
    @RolesAllowed(Roles.VIEWER)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> logout(@FormParam("csrf") String csrf, @Context SecurityIdentity caller, @Context UriInfo uri) {
        console.checkCsrf(caller, csrf);
        return sessions.close(Console.session(caller))
                .replaceWith(() -> Response.seeOther(URI.create(Console.ROOT + "/login")).cookie(Console.cookie(uri, "", 0)).build());
    }
}
