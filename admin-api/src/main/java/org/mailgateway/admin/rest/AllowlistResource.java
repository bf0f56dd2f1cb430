package org.mailgateway.admin.rest;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.mailgateway.admin.security.Roles;
import org.mailgateway.admin.service.BlocklistService;
import org.mailgateway.contracts.BlockEntry;

/** HTTP in, {@link BlocklistService} call, HTTP out: the allow list. */
@Path("/api/v1/allowlist")
@Tag(name = "Allow list", description = "Ranges never refused at connect; an allow entry wins over any block (policy.blocklist)")
@RolesAllowed(Roles.VIEWER)
public class AllowlistResource {

    private static final String EXAMPLE = "{\"cidr\": \"198.51.100.0/24\", \"reason\": \"our branch office\", \"expires\": \"\"}";

    private final BlocklistService blocklist;

    public AllowlistResource(BlocklistService blocklist) {
        this.blocklist = blocklist;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Allow entries (active only unless all=true), with source, reason, times and hit count")
    public Uni<List<BlocklistService.EntryView>> list(
            @Parameter(description = "true: expired entries too") @QueryParam("all") boolean all) {
        return blocklist.list(BlockEntry.Kind.ALLOW, all);
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Allow a range: {\"cidr\": \"198.51.100.0/24\", \"reason\": \"our branch office\", \"expires\": \"P7D\"}; "
            + "replaces any entry of the same CIDR; host bits set (10.0.0.5/24) is a 400 naming the network")
    public Uni<Response> add(
            @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "entry",
                    value = EXAMPLE))) BlocklistService.NewEntry entry,
            @Context SecurityIdentity caller) {
        return blocklist.add(BlockEntry.Kind.ALLOW, entry, caller.getPrincipal().getName())
                .map(created -> Response.status(Response.Status.CREATED).entity(created).build());
    }

    @DELETE
    @RolesAllowed(Roles.OPERATOR)
    @Path("/{cidr: .+}")
    @Operation(summary = "Remove the allow entry of a range: /allowlist/198.51.100.0%2F24 or /allowlist/198.51.100.0_24")
    public Uni<Response> remove(@PathParam("cidr") String cidr, @Context SecurityIdentity caller) {
        return blocklist.remove(BlockEntry.Kind.ALLOW, cidr, caller.getPrincipal().getName()).map(done -> Response.noContent().build());
    }

    @DELETE
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Remove the allow entry of a range given as ?cidr=198.51.100.0/24")
    public Uni<Response> removeByQuery(@QueryParam("cidr") String cidr, @Context SecurityIdentity caller) {
        return remove(cidr, caller);
    }
}
