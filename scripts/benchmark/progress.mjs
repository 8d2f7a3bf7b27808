// A progress bar on a terminal: "[#####.....]  45%  2:10 left  talc-realloc emcc-dlmalloc-O2".
// Nothing at all when the stream is not a terminal (a log file or a pipe gets only the report).

/** A progress(done, total, label) callback drawing on `stream` (e.g. process.stderr). */
export function progressBar(stream) {
    if (!stream.isTTY) {
        return () => {};
    }
    const start = Date.now();
    let last = 0;
    return (done, total, label) => {
        const now = Date.now();
        if (done < total && now - last < 100) {
            return;
        }
        last = now;
        if (done >= total) {
            stream.write('\r\x1b[K');
            return;
        }
        const width = 30;
        const filled = Math.round((width * done) / total);
        const left = Math.round(((now - start) / done) * (total - done) / 1000);
        const eta = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left`;
        const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor((100 * done) / total)).padStart(3)}%  ${eta}  ${label}`;
        stream.write(`\r\x1b[K${line.slice(0, (stream.columns ?? 100) - 1)}`);
    };
}
