package org.mailgateway.admin.console;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import java.util.List;
import org.mailgateway.admin.service.BlocklistService;
import org.mailgateway.admin.service.ClientService;
import org.mailgateway.admin.service.KeyService;
import org.mailgateway.admin.service.QuarantineService;
import org.mailgateway.admin.service.QueueService;

/** The console's pages: Qute templates under {@code templates/console/}, HTML-escaped by default. */
@CheckedTemplate(basePath = "console")
public final class Pages {

    private Pages() {
    }

    public static native TemplateInstance login(String error);

    public static native TemplateInstance error(int status, String reason, String detail);

    public static native TemplateInstance quarantine(Console.Ui ui, QuarantineService.Search search, QuarantineService.Page page,
            String next);

    public static native TemplateInstance quarantineMessage(Console.Ui ui, QuarantineService.QuarantinedMessage m);

    public static native TemplateInstance destinations(Console.Ui ui, List<QueueService.Destination> destinations);

    public static native TemplateInstance queueMessages(Console.Ui ui, String destination, QueueService.Page page, String next);

    public static native TemplateInstance queueMessage(Console.Ui ui, QueueService.QueuedMessage m);

    public static native TemplateInstance clients(Console.Ui ui, ClientService.TopClients top);

    public static native TemplateInstance client(Console.Ui ui, ClientService.ClientView c);

    public static native TemplateInstance blocks(Console.Ui ui, List<BlocklistService.EntryView> blocks,
            List<BlocklistService.EntryView> allows);

    public static native TemplateInstance blockPreview(Console.Ui ui, BlocklistService.Impact impact, String reason, String expires);

    public static native TemplateInstance keys(Console.Ui ui, List<KeyService.KeyView> keys, KeyService.CreatedKey created);

    public static native TemplateInstance charts(Console.Ui ui, Charts.Chart perHour, Charts.Chart relay, int hours, String since);
}
