package org.mailgateway.admin.console;

import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.mailgateway.admin.security.Roles;
import org.mailgateway.admin.service.ClientService;

/** Console pages over {@link ClientService}: the top offenders and one client address. */
@Path("/console/clients")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.VIEWER)
public class ConsoleClientsResource {

    private final ClientService clients;
    private final Console console;

    public ConsoleClientsResource(ClientService clients, Console console) {
        this.clients = clients;
        this.console = console;
    }

    @GET
    public Uni<TemplateInstance> top(@Context SecurityIdentity caller) {
        return console.ui(caller, "clients", "Clients")
                .chain(ui -> clients.top("score", null, null).map(top -> Pages.clients(ui, top)));
    }

    /** The lookup form: to the address's page (a bad address is the page's 400). */
    @GET
    @Path("/lookup")
    public Response lookup(@QueryParam("ip") String ip) {
        return Response.seeOther(URI.create(Console.ROOT + "/clients/" + Console.query(ip == null ? "" : ip.strip()))).build();
    }

    @GET
    @Path("/{ip}")
    public Uni<TemplateInstance> client(@PathParam("ip") String ip, @Context SecurityIdentity caller) {
        return console.ui(caller, "clients", "Client " + ip)
                .chain(ui -> clients.client(ip).map(view -> Pages.client(ui, view)));
    }
}
