import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.time.Instant;

/**
 * Temporal's time-skipping test server, started at a chosen instant. Tests of deadlines that cross
 * public holidays (National Day 2026, 调休 workdays) must run on the dates they are about, whatever
 * the wall clock says, so the server's clock can begin at `--start-time=<ISO-8601 instant>`.
 * Usage, as io.temporal.testserver.TestServer: {@code <port> [--enable-time-skipping] [--start-time=…]}.
 */
public final class BihuanTestServer {
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("Usage: BihuanTestServer <port> [--enable-time-skipping] [--start-time=<instant>]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    boolean enableTimeSkipping = false;
    long startMillis = 0L; // 0: the server's own default, the current time
    for (int i = 1; i < args.length; i++) {
      if (args[i].equalsIgnoreCase("--enable-time-skipping")) enableTimeSkipping = true;
      else if (args[i].startsWith("--start-time=")) startMillis = Instant.parse(args[i].substring(13)).toEpochMilli();
      else {
        System.err.println("Unknown flag " + args[i]);
        System.exit(2);
      }
    }
    TestServicesStarter services = new TestServicesStarter(!enableTimeSkipping, startMillis);
    ServerBuilder<?> builder = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create());
    GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
    Server server = builder.build().start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    server.awaitTermination();
  }
}
