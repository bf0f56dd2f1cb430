package org.mailgateway.admin.console;

import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestMulti;
import org.mailgateway.admin.service.QuarantineService;
import org.mailgateway.admin.service.RawMessage;
import org.mailgateway.admin.security.Roles;

/** Console pages over {@link QuarantineService}: search, read, release, delete. */
@Path("/console/quarantine")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.VIEWER)
public class ConsoleQuarantineResource {

    private final QuarantineService quarantine;
    private final Console console;

    public ConsoleQuarantineResource(QuarantineService quarantine, Console console) {
        this.quarantine = quarantine;
        this.console = console;
    }

    @GET
    public Uni<TemplateInstance> search(@QueryParam("ip") String ip, @QueryParam("helo") String helo,
            @QueryParam("sender") String sender, @QueryParam("recipient") String recipient, @QueryParam("rule") String rule,
            @QueryParam("minScore") String minScore, @QueryParam("since") String since, @QueryParam("until") String until,
            @QueryParam("cursor") String cursor, @Context SecurityIdentity caller) {
        QuarantineService.Search search = new QuarantineService.Search(blankToNull(ip), blankToNull(helo), blankToNull(sender),
                blankToNull(recipient), blankToNull(rule), blankToNull(minScore), blankToNull(since), blankToNull(until));
        return console.ui(caller, "quarantine", "Quarantine")
                .chain(ui -> quarantine.page(search, null, blankToNull(cursor)).map(page -> Pages.quarantine(ui, search, page,
                        page.nextCursor() == null ? null : nextLink(search, page.nextCursor()))));
    }

    @GET
    @Path("/{id}")
    public Uni<TemplateInstance> message(@PathParam("id") String id, @Context SecurityIdentity caller) {
        return console.ui(caller, "quarantine", "Quarantined message")
                .chain(ui -> quarantine.message(id).map(m -> Pages.quarantineMessage(ui, m)));
    }

    @GET
    @Path("/{id}/raw")
    @Produces("message/rfc822")
    public Multi<byte[]> raw(@PathParam("id") String id) {
        return RestMulti.fromUniResponse(quarantine.raw(id), RawMessage::bytes, RawMessage::downloadHeaders);
    }

    @POST
    @Path("/{id}/release")
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> release(@PathParam("id") String id, @FormParam("csrf") String csrf, @Context SecurityIdentity caller) {
        console.checkCsrf(caller, csrf);
        return quarantine.release(id, caller.getPrincipal().getName()).chain(released -> console.done(caller,
                "Released " + id + ": " + released.recipientsQueued() + " recipients queued for delivery.", Console.ROOT + "/quarantine"));
    }

    @POST
    @Path("/{id}/delete")
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> delete(@PathParam("id") String id, @FormParam("csrf") String csrf, @Context SecurityIdentity caller) {
        console.checkCsrf(caller, csrf);
        return quarantine.delete(id).chain(done -> console.done(caller, "Deleted " + id + ".", Console.ROOT + "/quarantine"));
    }

    private static String nextLink(QuarantineService.Search s, String cursor) {
        StringBuilder link = new StringBuilder(Console.ROOT + "/quarantine?cursor=").append(Console.query(cursor));
        String[][] params = {{"ip", s.ip()}, {"helo", s.helo()}, {"sender", s.sender()}, {"recipient", s.recipient()},
            {"rule", s.rule()}, {"minScore", s.minScore()}, {"since", s.since()}, {"until", s.until()}};
        for (String[] p : params) {
            if (p[1] != null) {
                link.append('&').append(p[0]).append('=').append(Console.query(p[1]));
            }
        }
        return link.toString();
    }

    static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
