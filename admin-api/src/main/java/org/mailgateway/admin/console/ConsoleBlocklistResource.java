package org.mailgateway.admin.console;

import static org.mailgateway.admin.console.ConsoleQuarantineResource.blankToNull;

import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.mailgateway.admin.rest.ProblemException;
import org.mailgateway.admin.security.Roles;
import org.mailgateway.admin.service.BlocklistService;
import org.mailgateway.contracts.BlockEntry;

/** Console pages over {@link BlocklistService}: the lists, a block's impact preview before it is made, add, remove. */
@Path("/console/blocks")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.VIEWER)
public class ConsoleBlocklistResource {

    private final BlocklistService blocklist;
    private final Console console;

    public ConsoleBlocklistResource(BlocklistService blocklist, Console console) {
        this.blocklist = blocklist;
        this.console = console;
    }

    @GET
    public Uni<TemplateInstance> lists(@Context SecurityIdentity caller) {
        return console.ui(caller, "blocks", "Block and allow lists")
                .chain(ui -> Uni.combine().all()
                        .unis(blocklist.list(BlockEntry.Kind.BLOCK, false), blocklist.list(BlockEntry.Kind.ALLOW, false)).asTuple()
                        .map(t -> Pages.blocks(ui, t.getItem1(), t.getItem2())));
    }

    /** What a block of the range would have refused in the last {@code days} (7) days; the block button is below it. */
    @GET
    @Path("/preview")
    public Uni<TemplateInstance> preview(@QueryParam("cidr") String cidr, @QueryParam("reason") String reason,
            @QueryParam("expires") String expires, @QueryParam("days") Integer days, @Context SecurityIdentity caller) {
        return console.ui(caller, "blocks", "Before blocking " + (cidr == null ? "" : cidr.strip()))
                .chain(ui -> blocklist.impact(cidr == null ? null : cidr.strip(), days)
                        .map(impact -> Pages.blockPreview(ui, impact, blankToNull(reason), blankToNull(expires))));
    }

    @GET
    @Path("/export")
    @Produces(MediaType.TEXT_PLAIN)
    public String export() {
        return blocklist.export("plain");
    }

    @POST
    @Path("/add")
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> add(@FormParam("kind") String kind, @FormParam("cidr") String cidr, @FormParam("reason") String reason,
            @FormParam("expires") String expires, @FormParam("csrf") String csrf, @Context SecurityIdentity caller,
            @Context ContainerRequestContext request) {
        Console.audit(request, "kind", kind, "cidr", cidr, "reason", reason, "expires", expires);
        console.checkCsrf(caller, csrf);
        BlockEntry.Kind parsed = kind(kind);
        return blocklist.add(parsed, new BlocklistService.NewEntry(cidr, reason, blankToNull(expires)), caller.getPrincipal().getName())
                .chain(entry -> console.done(caller, (parsed == BlockEntry.Kind.BLOCK ? "Blocked " : "Allowed ") + entry.cidr()
                        + (entry.expiresAt() == null ? "" : " until " + Format.time(entry.expiresAt())) + ".", Console.ROOT + "/blocks"));
    }

    @POST
    @Path("/remove")
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> remove(@FormParam("kind") String kind, @FormParam("cidr") String cidr, @FormParam("csrf") String csrf,
            @Context SecurityIdentity caller, @Context ContainerRequestContext request) {
        Console.audit(request, "kind", kind, "cidr", cidr);
        console.checkCsrf(caller, csrf);
        BlockEntry.Kind parsed = kind(kind);
        return blocklist.remove(parsed, cidr, caller.getPrincipal().getName())
                .chain(done -> console.done(caller, "Removed the " + parsed.name().toLowerCase() + " entry of " + cidr + ".",
                        Console.ROOT + "/blocks"));
    }

    private static BlockEntry.Kind kind(String kind) {
        if ("block".equals(kind)) {
            return BlockEntry.Kind.BLOCK;
        }
        if ("allow".equals(kind)) {
            return BlockEntry.Kind.ALLOW;
        }
        throw ProblemException.badRequest("kind: block or allow");
    }
}
