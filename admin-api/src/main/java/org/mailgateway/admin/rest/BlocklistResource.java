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

/** HTTP in, {@link BlocklistService} call, HTTP out: the block list, its impact preview and its export. */
@Path("/api/v1/blocklist")
@Tag(name = "Block list", description = "Ranges refused at connect (policy.blocklist)")
@RolesAllowed(Roles.VIEWER)
public class BlocklistResource {

    private static final String EXAMPLE = "{\"cidr\": \"203.0.113.0/24\", \"reason\": \"relay probing from a dial-up range\", \"expires\": \"P7D\"}";

    private final BlocklistService blocklist;

    public BlocklistResource(BlocklistService blocklist) {
        this.blocklist = blocklist;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Block entries (active only unless all=true), with source, reason, times and hit count")
    public Uni<List<BlocklistService.EntryView>> list(
            @Parameter(description = "true: expired entries too") @QueryParam("all") boolean all) {
        return blocklist.list(BlockEntry.Kind.BLOCK, all);
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Block a range: {\"cidr\": \"203.0.113.0/24\", \"reason\": \"relay probing\", \"expires\": \"P7D\"}; "
            + "replaces any entry of the same CIDR; host bits set (10.0.0.5/24) is a 400 naming the network")
    public Uni<Response> add(
            @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "entry",
                    value = EXAMPLE))) BlocklistService.NewEntry entry,
            @Context SecurityIdentity caller) {
        return blocklist.add(BlockEntry.Kind.BLOCK, entry, caller.getPrincipal().getName())
                .map(created -> Response.status(Response.Status.CREATED).entity(created).build());
    }

    @DELETE
    @RolesAllowed(Roles.OPERATOR)
    @Path("/{cidr: .+}")
    @Operation(summary = "Remove the block of a range: /blocklist/203.0.113.0%2F24 or /blocklist/203.0.113.0_24")
    public Uni<Response> remove(@PathParam("cidr") String cidr, @Context SecurityIdentity caller) {
        return blocklist.remove(BlockEntry.Kind.BLOCK, cidr, caller.getPrincipal().getName()).map(done -> Response.noContent().build());
    }

    @DELETE
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Remove the block of a range given as ?cidr=203.0.113.0/24")
    public Uni<Response> removeByQuery(@QueryParam("cidr") String cidr, @Context SecurityIdentity caller) {
        return remove(cidr, caller);
    }

    @GET
    @Path("/export")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "The active blocks for a firewall: plain (one CIDR a line), nftables (nft -f) or ipset (ipset -exist restore)")
    public String export(@Parameter(description = "plain (default), nftables or ipset") @QueryParam("format") String format) {
        return blocklist.export(format);
    }

    @GET
    @Path("/impact")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Before blocking: the mail delivered and quarantined from the range in the last days, by sender domain")
    public Uni<BlocklistService.Impact> impact(
            @Parameter(description = "the range to preview, e.g. 203.0.113.0/24") @QueryParam("cidr") String cidr,
            @Parameter(description = "how many days back (default 7)") @QueryParam("days") Integer days) {
        return blocklist.impact(cidr, days);
    }
}
