package org.mailgateway.admin.rest;

import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.mailgateway.admin.security.Roles;
import org.mailgateway.admin.service.ClientService;

/** HTTP in, {@link ClientService} call, HTTP out. */
@Path("/api/v1/clients")
@Tag(name = "Clients", description = "What the gateway knows about client IP addresses")
@RolesAllowed(Roles.VIEWER)
public class ClientsResource {

    private final ClientService clients;

    public ClientsResource(ClientService clients) {
        this.clients = clients;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Top offenders since a time; score = sum of verdict scores + weights x relay attempts and AUTH failures")
    public Uni<ClientService.TopClients> top(
            @Parameter(description = "score (default), relayAttempts or heloNames") @QueryParam("sort") String sort,
            @Parameter(description = "an instant (2026-11-01T00:00:00Z) or a duration back from now (P7D, the default)")
            @QueryParam("since") String since,
            @Parameter(description = "how many (default 20)") @QueryParam("limit") Integer limit) {
        return clients.top(sort, since, limit);
    }

    @GET
    @Path("/{ip}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One client address: first/last seen, sessions, HELO names, relay attempts, AUTH failures, DNSBL hits, "
            + "messages, the block or allow entries covering it and their history")
    public Uni<ClientService.ClientView> client(@PathParam("ip") String ip) {
        return clients.client(ip);
    }
}
