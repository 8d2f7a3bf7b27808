package talc.wasm.tool;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One of the command-line WebAssembly tools the post-processing runs: binaryen's and wabt's npm
 * builds (JavaScript and wasm, the same bytes on every machine), which {@code npm ci} installs
 * into {@code wasm-target/node_modules} at the versions {@code wasm-target/package-lock.json}
 * pins; the Maven build does that itself before it runs this tool.
 *
 * <p>Each runs as {@code node <dir>/node_modules/<package>/bin/<tool>}, where {@code <dir>} is the
 * system property {@code talc.tools.dir} (Maven sets it to wasm-target), else the current
 * directory; an environment variable ({@code WASM_OPT}, ...) naming an executable overrides that,
 * to try another version. A missing tool stops the build with the install hint rather than a
 * bare "error=2".
 */
enum ExternalTool {
    WASM_OPT("binaryen", "wasm-opt", "WASM_OPT"),
    WASM2WAT("wabt", "wasm2wat", "WASM2WAT"),
    WAT2WASM("wabt", "wat2wasm", "WAT2WASM"),
    WASM_OBJDUMP("wabt", "wasm-objdump", "WASM_OBJDUMP"),
    WASM_VALIDATE("wabt", "wasm-validate", "WASM_VALIDATE");

    /** The folder whose node_modules holds the tools' npm packages. */
    static final String TOOLS_DIR_PROPERTY = "talc.tools.dir";
    /** Printed whenever a tool cannot be started. */
    static final String INSTALL_HINT = "run 'node scripts/install-npm.mjs wasm-target' (npm ci of binaryen and wabt;"
            + " the Maven build does it itself), with Node.js 20 or later on the PATH";

    /** Generous bound for one tool run; the modules here take well under a second. */
    private static final long TIMEOUT_SECONDS = 300;

    private final String npmPackage;
    private final String defaultCommand;
    private final String environmentVariable;

    ExternalTool(String npmPackage, String defaultCommand, String environmentVariable) {
        this.npmPackage = npmPackage;
        this.defaultCommand = defaultCommand;
        this.environmentVariable = environmentVariable;
    }

    /** The command line that runs the tool: the environment override, else Node on the npm package's script. */
    List<String> command() {
        String override = override();
        return override != null ? List.of(override) : List.of("node", script().getPath());
    }

    private String override() {
        String override = System.getenv(environmentVariable);
        return override == null || override.isBlank() ? null : override;
    }

    private File script() {
        File dir = new File(System.getProperty(TOOLS_DIR_PROPERTY, "."));
        return new File(dir, "node_modules/" + npmPackage + "/bin/" + defaultCommand);
    }

    /** The tool's name and where it comes from, for the build's log: {@code wasm-opt (binaryen)}. */
    String describe() {
        return defaultCommand + " (" + (override() != null ? override() : npmPackage) + ")";
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
        if (override() == null && !script().isFile()) {
            throw new BuildException(defaultCommand + " is not installed (no " + script() + "); " + INSTALL_HINT
                    + ", or set " + environmentVariable + " to an executable");
        }
        List<String> command = new ArrayList<>(command());
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
                throw new BuildException(defaultCommand + " could not be started as '"
                        + String.join(" ", command()) + "' (" + e.getMessage() + "); " + INSTALL_HINT
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
