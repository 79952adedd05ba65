package io.github.flinktinybird.cluster;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

import io.github.flinktinybird.testutil.Deadline;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Flink session cluster of separate JVM processes on loopback, started from the Flink jars the
 * build resolved from Maven (no {@code flink-dist} here): one JobManager ({@code
 * StandaloneSessionClusterEntrypoint}) and TaskManagers ({@code TaskManagerRunner}), each with its
 * own log and GC log under {@code target/cluster/<name>/logs}.
 *
 * <p>The cluster's classpath is Flink's, without the connector and without its dependencies
 * (OkHttp, Okio, Kotlin, Jackson): a job must bring them in its own jar, as a user's would. Every
 * process started is killed on {@link #close()}, and by a shutdown hook if the test JVM exits first.
 */
final class StandaloneFlinkCluster implements AutoCloseable {

    private static final Set<Process> ALL_PROCESSES = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ALL_PROCESSES.forEach(Process::destroyForcibly), "kill-flink-cluster"));
    }

    /** Jars (by name prefix) of the test classpath that a Flink distribution does not have on its classpath. */
    private static final List<String> NOT_ON_A_FLINK_CLASSPATH = List.of(
            // the connector (its jar, its test jar, the emulator's) and its own dependencies: the
            // job jar brings them
            "flink-connector-tinybird", "okhttp-", "okio-", "kotlin-", "annotations-13", "jackson-",
            // test-only libraries
            "junit-", "opentest4j-", "apiguardian-", "assertj-", "hamcrest-", "testcontainers-", "docker-java-",
            "duct-tape-", "flink-test-utils-", "flink-connector-test-utils-", "curator-test-", "byte-buddy-",
            "async-profiler-", "surefire");

    private final String name;
    private final Path dir;
    private final Path logs;
    private final Path conf;
    private final int restPort;
    private final FlinkRest rest;
    private final JobQueries jobs;
    private final String classpath;
    private final List<String> jvmOpens;
    private final Map<String, Process> taskManagers = new LinkedHashMap<>();
    /** Environment variables of the TaskManager processes only (e.g. a secret they read). */
    private final Map<String, String> taskManagerEnvironment = new LinkedHashMap<>();
    private final Configuration taskManagerMemory = new Configuration();
    private Process jobManager;
    private int taskManagerIds;
    private int submissions;

    private StandaloneFlinkCluster(String name, String logLevel, Map<String, String> extraConfig) throws IOException {
        this.name = name;
        this.dir = Paths.get("target", "cluster", name).toAbsolutePath();
        deleteRecursively(dir);
        this.logs = Files.createDirectories(dir.resolve("logs"));
        this.conf = Files.createDirectories(dir.resolve("conf"));
        this.restPort = freePort();
        this.rest = new FlinkRest(restPort);
        this.jobs = new JobQueries(rest, dir.resolve("savepoints").toUri().toString());
        this.classpath = clusterClasspath();
        this.jvmOpens = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(arg -> arg.startsWith("--add-opens"))
                .collect(Collectors.toList());

        Map<String, String> config = new LinkedHashMap<>();
        config.put("jobmanager.rpc.address", "localhost");
        config.put("jobmanager.rpc.port", Integer.toString(freePort()));
        config.put("jobmanager.bind-host", "localhost");
        config.put("rest.address", "localhost");
        config.put("rest.bind-address", "localhost");
        config.put("rest.port", Integer.toString(restPort));
        config.put("taskmanager.host", "localhost");
        config.put("taskmanager.bind-host", "localhost");
        config.put("taskmanager.numberOfTaskSlots", "2");
        config.put("parallelism.default", "2");
        config.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
        config.put("execution.checkpointing.savepoint-dir", dir.resolve("savepoints").toUri().toString());
        config.put("io.tmp.dirs", Files.createDirectories(dir.resolve("tmp")).toString());
        config.put("web.upload.dir", Files.createDirectories(dir.resolve("upload")).toString());
        config.put("blob.storage.directory", Files.createDirectories(dir.resolve("blobs")).toString());
        // A TaskManager killed with SIGKILL is noticed within seconds, not after the 50 s default.
        config.put("heartbeat.interval", "1 s");
        config.put("heartbeat.timeout", "8 s");
        config.put("heartbeat.rpc-failure-threshold", "1");
        config.put("metrics.fetcher.update-interval", "1 s");
        // Checkpoint statistics are otherwise cached for 3 s: too long to see one in progress.
        config.put("rest.cache.checkpoint-statistics.timeout", "100 ms");
        config.put("taskmanager.memory.process.size", "1g");
        config.put("taskmanager.memory.managed.size", "0m");
        config.put("taskmanager.memory.network.min", "32m");
        config.put("taskmanager.memory.network.max", "32m");
        config.put("taskmanager.memory.jvm-metaspace.size", "192m");
        config.putAll(extraConfig);
        StringBuilder yaml = new StringBuilder();
        config.forEach((k, v) -> yaml.append(k).append(": ").append(quote(v)).append('\n'));
        Files.writeString(conf.resolve("config.yaml"), yaml);
        config.forEach((k, v) -> {
            if (k.startsWith("taskmanager.memory.") || k.equals("taskmanager.numberOfTaskSlots")) {
                taskManagerMemory.setString(k, v);
            }
        });
        Files.writeString(conf.resolve("log4j.properties"), String.join("\n",
                "monitorInterval = 0",
                "rootLogger.level = " + logLevel,
                "rootLogger.appenderRef.file.ref = File",
                "appender.file.type = File",
                "appender.file.name = File",
                "appender.file.fileName = ${sys:log.file}",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %t %c - %m%n",
                ""));
    }

    /** Starts a JobManager and {@code taskManagers} TaskManagers and waits until all are registered. */
    static StandaloneFlinkCluster start(String name, int taskManagers, String logLevel, Map<String, String> extraConfig)
            throws IOException {
        return start(name, taskManagers, logLevel, extraConfig, Map.of());
    }

    /**
     * As {@link #start(String, int, String, Map)}, with environment variables that only the
     * TaskManager processes get (neither the JobManager nor {@code flink run}), as a secret
     * injected into TaskManager pods would be.
     */
    static StandaloneFlinkCluster start(String name, int taskManagers, String logLevel, Map<String, String> extraConfig,
            Map<String, String> taskManagerEnvironment) throws IOException {
        StandaloneFlinkCluster cluster = new StandaloneFlinkCluster(name, logLevel, extraConfig);
        cluster.taskManagerEnvironment.putAll(taskManagerEnvironment);
        try {
            cluster.jobManager = cluster.launch("jobmanager",
                    "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                    List.of("-Xmx512m", "-Xms128m"), List.of());
            for (int i = 0; i < taskManagers; i++) {
                cluster.startTaskManager();
            }
            cluster.awaitTaskManagers(taskManagers);
        } catch (RuntimeException | IOException | Error e) {
            cluster.printLogs();
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** Starts one more TaskManager process; returns its resource id (e.g. {@code tm-3}). */
    synchronized String startTaskManager() throws IOException {
        String id = "tm-" + (++taskManagerIds);
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(taskManagerMemory);
        List<String> jvm = new ArrayList<>(Arrays.asList(ProcessMemoryUtils.generateJvmParametersStr(spec).trim().split("\\s+")));
        jvm.add("-Xlog:gc:file=" + logs.resolve(id + "-gc.log") + ":uptime");
        List<String> dynamic = new ArrayList<>();
        for (String part : TaskExecutorProcessUtils.generateDynamicConfigsStr(spec).trim().split("\\s+")) {
            if (!part.equals("-D")) {
                dynamic.add("-D");
                dynamic.add(part);
            }
        }
        dynamic.add("-D");
        dynamic.add(TaskManagerOptions.TASK_MANAGER_RESOURCE_ID.key() + "=" + id);
        taskManagers.put(id, launch(id, "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", jvm, dynamic, taskManagerEnvironment));
        return id;
    }

    /** {@code kill -9} of a TaskManager; returns once the process is gone. */
    synchronized void killTaskManager(String id) throws InterruptedException {
        Process process = taskManagers.remove(id);
        if (process == null) {
            throw new IllegalArgumentException("no running TaskManager " + id + " (running: " + taskManagers.keySet() + ")");
        }
        process.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no goodbye to the JobManager
        if (!process.waitFor(30, TimeUnit.SECONDS) || ProcessHandle.of(process.pid()).map(ProcessHandle::isAlive).orElse(false)) {
            throw new IllegalStateException("TaskManager " + id + " (pid " + process.pid() + ") survived kill -9");
        }
        ALL_PROCESSES.remove(process);
    }

    synchronized Set<String> taskManagerIds() {
        return new LinkedHashSet<>(taskManagers.keySet());
    }

    void awaitTaskManagers(int count) {
        Deadline.await(count + " TaskManagers registered", Duration.ofSeconds(120), () -> {
            assertProcessesAlive();
            try {
                return rest.get("/overview").path("taskmanagers").asInt() == count;
            } catch (RuntimeException notUpYet) {
                return false;
            }
        });
    }

    private synchronized void assertProcessesAlive() {
        if (!jobManager.isAlive()) {
            throw new IllegalStateException("the JobManager exited with " + jobManager.exitValue() + "; see " + logs);
        }
        taskManagers.forEach((id, p) -> {
            if (!p.isAlive()) {
                throw new IllegalStateException("TaskManager " + id + " exited with " + p.exitValue() + "; see " + logs);
            }
        });
    }

    FlinkRest rest() {
        return rest;
    }

    /** Questions about jobs, over the REST API. */
    JobQueries jobs() {
        return jobs;
    }

    /** The TaskManagers' GC logs. */
    GcLogs gcLogs() {
        return new GcLogs(logs);
    }

    Path dir() {
        return dir;
    }

    Path logs() {
        return logs;
    }

    /**
     * Submits the jar with Flink's command line client, in its own JVM, as a user would: {@code flink
     * run -d -m localhost:<rest port> -p <parallelism> [-s <savepoint>] <jar> <args>}. Returns the job id.
     */
    String submit(Path jar, List<String> args, int parallelism, String savepointPath) throws IOException, InterruptedException {
        List<String> cli = new ArrayList<>(List.of("run", "-d", "-m", "localhost:" + restPort, "-p", Integer.toString(parallelism)));
        if (savepointPath != null) {
            cli.add("-s");
            cli.add(savepointPath);
        }
        cli.add(jar.toString());
        cli.addAll(args);
        String id = "cli-" + (++submissions);
        Process client = launchMain(id, "org.apache.flink.client.cli.CliFrontend", List.of("-Xmx256m"), cli);
        if (!client.waitFor(120, TimeUnit.SECONDS)) {
            client.destroyForcibly();
            throw new IllegalStateException("flink run did not return within 120 s; see " + logs.resolve(id + ".out"));
        }
        ALL_PROCESSES.remove(client);
        String output = Files.readString(logs.resolve(id + ".out"));
        Matcher jobId = Pattern.compile("JobID ([0-9a-f]{32})").matcher(output);
        if (client.exitValue() != 0 || !jobId.find()) {
            throw new IllegalStateException("flink run failed (exit " + client.exitValue() + "):\n" + output);
        }
        return jobId.group(1);
    }

    /** Maximum heap of one TaskManager JVM, in MiB. */
    long taskManagerMaxHeapMiB() {
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(taskManagerMemory);
        MemorySize heap = spec.getJvmHeapMemorySize();
        return heap.getMebiBytes();
    }

    /** Prints the end of every log, for a failed test. */
    void printLogs() {
        try (Stream<Path> files = Files.list(logs)) {
            for (Path log : files.sorted().collect(Collectors.toList())) {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                System.out.println("===== " + log + " (last 80 of " + lines.size() + " lines) =====");
                lines.subList(Math.max(0, lines.size() - 80), lines.size()).forEach(System.out::println);
            }
        } catch (IOException | UncheckedIOException e) {
            System.out.println("could not read the cluster logs in " + logs + ": " + e);
        }
    }

    @Override
    public synchronized void close() {
        List<Process> all = new ArrayList<>(taskManagers.values());
        if (jobManager != null) {
            all.add(jobManager);
        }
        all.forEach(Process::destroyForcibly);
        for (Process p : all) {
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ALL_PROCESSES.remove(p);
        }
        taskManagers.clear();
    }

    private Process launch(String id, String mainClass, List<String> jvmArgs, List<String> extraArgs) throws IOException {
        return launch(id, mainClass, jvmArgs, extraArgs, Map.of());
    }

    private Process launch(String id, String mainClass, List<String> jvmArgs, List<String> extraArgs,
            Map<String, String> environment) throws IOException {
        List<String> args = new ArrayList<>(List.of("--configDir", conf.toString()));
        args.addAll(extraArgs);
        return launchMain(id, mainClass, jvmArgs, args, environment);
    }

    private Process launchMain(String id, String mainClass, List<String> jvmArgs, List<String> args) throws IOException {
        return launchMain(id, mainClass, jvmArgs, args, Map.of());
    }

    private Process launchMain(String id, String mainClass, List<String> jvmArgs, List<String> args,
            Map<String, String> environment) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOpens);
        command.addAll(jvmArgs);
        command.add("-XX:+UseG1GC");
        command.add("-Dlog.file=" + logs.resolve(id + ".log"));
        command.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
        command.add("-classpath");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve(id + ".out").toFile());
        builder.environment().put("FLINK_CONF_DIR", conf.toString());
        builder.environment().putAll(environment);
        Process process = builder.start();
        ALL_PROCESSES.add(process);
        return process;
    }

    /** Flink's jars from the test classpath, minus the connector and its dependencies. */
    private static String clusterClasspath() {
        String full = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> kept = new ArrayList<>();
        for (String entry : full.split(File.pathSeparator)) {
            String file = Paths.get(entry).getFileName().toString();
            boolean excluded = !entry.endsWith(".jar") // target/classes, target/test-classes
                    || file.endsWith("-tests.jar")
                    || NOT_ON_A_FLINK_CLASSPATH.stream().anyMatch(file::startsWith);
            if (!excluded) {
                kept.add(entry);
            }
        }
        return String.join(File.pathSeparator, kept);
    }

    private static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public String toString() {
        return "StandaloneFlinkCluster{" + name + ", rest=localhost:" + restPort + ", taskManagers=" + taskManagers.keySet() + '}';
    }
}
