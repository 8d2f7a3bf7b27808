package talc.wasm.tool;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One of the command-line WebAssembly tools the post-processing runs (binaryen and wabt).
 *
 * <p>Each is run as the executable an environment variable names, else as the one the system
 * property {@code talc.tool.<name>} names (the Maven build points {@code wasm-opt} at the binaryen
 * that {@code npm ci --prefix wasm-target} installs: a newer binaryen than Debian's, which
 * optimises the module about 5% smaller), else by its usual name on the {@code PATH}. A missing
 * tool stops the build with the install hint rather than a bare "error=2".
 */
enum ExternalTool {
    WASM_OPT("wasm-opt", "WASM_OPT"),
    WASM2WAT("wasm2wat", "WASM2WAT"),
    WAT2WASM("wat2wasm", "WAT2WASM"),
    WASM_OBJDUMP("wasm-objdump", "WASM_OBJDUMP"),
    WASM_VALIDATE("wasm-validate", "WASM_VALIDATE");

    /** Printed whenever a tool cannot be started. */
    static final String INSTALL_HINT = "run scripts/install-tools (wabt from Debian: apt-get install wabt;"
            + " binaryen from npm: npm ci --prefix wasm-target)";

    /** Generous bound for one tool run; the modules here take well under a second. */
    private static final long TIMEOUT_SECONDS = 300;

    private final String defaultCommand;
    private final String environmentVariable;

    ExternalTool(String defaultCommand, String environmentVariable) {
        this.defaultCommand = defaultCommand;
        this.environmentVariable = environmentVariable;
    }

    /** The executable to run: the environment override, else the system property, else the usual name. */
    String command() {
        String override = System.getenv(environmentVariable);
        if (override != null && !override.isBlank()) {
            return override;
        }
        return System.getProperty("talc.tool." + defaultCommand, defaultCommand);
    }

    /** The tool's {@code --version} line; fails the build if the tool cannot be run. */
    String version() throws BuildException {
        return run("--version").strip();
    }

    /**
     * Runs the tool with {@code args} and returns its standard output. A non-zero exit fails the
     * build with the tool's standard error in the message.
     */
    String run(String... args) throws BuildException {
        List<String> command = new ArrayList<>();
        command.add(command());
        command.addAll(List.of(args));
        File out = null;
        File err = null;
        try {
            // Output goes through files so that a chatty tool can never block on a full pipe.
            out = File.createTempFile("talc-tool", ".out");
            err = File.createTempFile("talc-tool", ".err");
            Process process;
            try {
                process = new ProcessBuilder(command).redirectOutput(out).redirectError(err).start();
            } catch (IOException e) {
                throw new BuildException(defaultCommand + " could not be started as '" + command()
                        + "' (" + e.getMessage() + "); " + INSTALL_HINT
                        + ", or set " + environmentVariable + " to the executable");
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new BuildException(defaultCommand + " did not finish in " + TIMEOUT_SECONDS + " s: "
                        + String.join(" ", command));
            }
            String stdout = Files.readString(out.toPath(), StandardCharsets.UTF_8);
            String stderr = Files.readString(err.toPath(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new BuildException(defaultCommand + " failed (exit " + process.exitValue() + "): "
                        + String.join(" ", command) + "\n" + stderr.strip() + stdout.strip());
            }
            return stdout;
        } catch (IOException e) {
            throw new BuildException("running " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException("interrupted while running " + defaultCommand, e);
        } finally {
            if (out != null) {
                out.delete();
            }
            if (err != null) {
                err.delete();
            }
        }
    }
}
