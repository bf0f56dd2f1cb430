package org.mailgateway.admin.console;

import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.mailgateway.admin.security.Roles;
import org.mailgateway.admin.service.ClientService;
import org.mailgateway.admin.service.TrafficService;

/** The charts page: mail per hour by verdict (48 hours) and the top client addresses by relay attempts (7 days). */
@Path("/console/charts")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.VIEWER)
public class ConsoleChartsResource {

    static final int HOURS = 48;
    static final String RELAY_SINCE = "P7D";
    static final int TOP_CLIENTS = 15;

    private final TrafficService traffic;
    private final ClientService clients;
    private final Console console;

    public ConsoleChartsResource(TrafficService traffic, ClientService clients, Console console) {
        this.traffic = traffic;
        this.clients = clients;
        this.console = console;
    }

    @GET
    public Uni<TemplateInstance> charts(@Context SecurityIdentity caller) {
        return console.ui(caller, "charts", "Charts")
                .chain(ui -> Uni.combine().all()
                        .unis(traffic.perHour(HOURS), clients.top("relayAttempts", RELAY_SINCE, TOP_CLIENTS)).asTuple()
                        .map(t -> Pages.charts(ui, Charts.mailPerHour(t.getItem1()), Charts.relayAttempts(t.getItem2().clients()),
                                HOURS, Format.time(t.getItem2().since()))));
    }
}
