package io.sextant.registry.file;

import io.sextant.config.ConfigError;
import io.sextant.config.ConfigLoader;
import io.sextant.config.ConfigResource;
import io.sextant.config.LoadResult;
import io.sextant.config.SourceLocation;
import io.sextant.registry.ResourceFeed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the Istio resources of some YAML files and directories current. Directories are read
 * recursively for {@code *.yaml} and {@code *.yml}, skipping names that start with {@code .} but
 * following symlinks, which is how a Kubernetes ConfigMap volume ({@code ..data} swapped
 * atomically) presents its files.
 *
 * <p>Changes are noticed through a {@link WatchService} on every directory involved, with a full
 * rescan at a fixed interval as a safety net for file systems that do not report events. Each
 * rescan re-parses only files whose bytes changed. A file that fails to load is rejected as a
 * whole: its errors are logged and kept for status, and its last good content stays in effect.
 *
 * <p>After every change to the resources in effect, the callback receives all of them, ordered by
 * file path and then by position in the file: once from {@link #start} on the caller's thread, then
 * from the watcher's own thread.
 */
public final class ConfigFileWatcher implements ResourceFeed {
  private static final Logger log = LoggerFactory.getLogger(ConfigFileWatcher.class);

  private final String name;
  private final List<Path> paths;
  private final Duration rescanInterval;
  private final Consumer<List<ConfigResource>> onChange;

  // Touched only by the thread that scans: start()'s caller first, then the watch thread.
  private final Map<Path, LoadedFile> files = new TreeMap<>();

  /** The files whose last version was rejected, in path order: usually none. */
  private final Set<Path> rejected = new TreeSet<>();

  /**
   * Where each file's resources start in {@link #inEffect}, or null until it is next built whole.
   * An edit that keeps a file's number of resources then replaces them in place, instead of walking
   * every file: with 10,000 files, one per service, that walk was most of the watcher's time under
   * endpoint churn.
   */
  private Map<Path, Integer> offsets;

  private final Map<Path, WatchKey> watchedDirectories = new HashMap<>();
  private final Set<Path> missingPaths = new HashSet<>();
  private List<ConfigResource> inEffect;

  private volatile List<ConfigError> errors = List.of();
  private final java.util.concurrent.atomic.AtomicLong rejections =
      new java.util.concurrent.atomic.AtomicLong();

  /** Problems with the configured paths themselves, as of the last full rescan. */
  private List<ConfigError> pathErrors = List.of();

  private volatile boolean closed;
  private WatchService watchService;
  private Thread thread;

  /**
   * One file as last read.
   *
   * @param version what was read: a hash of the bytes, or why they could not be read
   * @param resources the resources of the last version that loaded
   * @param errors why the current version was rejected; empty if it loaded
   */
  private record LoadedFile(
      String version, List<ConfigResource> resources, List<ConfigError> errors) {}

  /**
   * @param name the source's name, for logs and the thread name
   * @param paths files and directories to read
   * @param rescanInterval how often everything is re-read even without events
   * @param onChange receives all resources in effect after each change
   */
  public ConfigFileWatcher(
      String name,
      List<Path> paths,
      Duration rescanInterval,
      Consumer<List<ConfigResource>> onChange) {
    this.name = Objects.requireNonNull(name, "name");
    this.paths = List.copyOf(paths);
    this.rescanInterval = Objects.requireNonNull(rescanInterval, "rescanInterval");
    this.onChange = Objects.requireNonNull(onChange, "onChange");
    if (rescanInterval.isNegative() || rescanInterval.isZero()) {
      throw new IllegalArgumentException("rescan interval must be positive: " + rescanInterval);
    }
  }

  /** Reads every path, delivers the result, then watches for changes on a daemon thread. */
  @Override
  public synchronized void start() {
    if (watchService != null) {
      throw new IllegalStateException(name + " is already watching");
    }
    try {
      watchService = FileSystems.getDefault().newWatchService();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot watch files for " + name, e);
    }
    rescan();
    thread = new Thread(this::watch, "sextant-file-watch-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  /** The problems of the current files and paths: rejected files, missing paths. */
  @Override
  public List<ConfigError> errors() {
    return errors;
  }

  @Override
  public long rejections() {
    return rejections.get();
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (watchService == null) {
      return;
    }
    try {
      // Wakes the watch thread, which is waiting on the service.
      watchService.close();
    } catch (IOException e) {
      log.debug("{}: closing the watch service failed", name, e);
    }
    if (thread != null && thread != Thread.currentThread()) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void watch() {
    while (!closed) {
      try {
        WatchKey key = watchService.poll(rescanInterval.toMillis(), TimeUnit.MILLISECONDS);
        if (key == null) {
          rescan(); // the safety net: nothing reported for a while, look at everything
          continue;
        }
        // Drain what is queued so that a burst of events costs one pass. Events that name plain
        // files re-read just those files; anything else (a directory, a ConfigMap's ..data swap,
        // lost events) rescans everything.
        boolean full = false;
        Set<Path> touched = new TreeSet<>();
        while (key != null) {
          Path directory = (Path) key.watchable();
          for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
              full = true;
              continue;
            }
            String entry = event.context().toString();
            Path path = directory.resolve(entry).normalize();
            if (entry.startsWith("..")) {
              full = true;
            } else if (entry.startsWith(".")) {
              continue; // temporary files of editors and atomic writers
            } else if (Files.isDirectory(path)
                || watchedDirectories.containsKey(path)
                || listed(path)) {
              full = true; // also for a listed path: its "does not exist" error must go
            } else {
              touched.add(path);
            }
          }
          key.reset();
          key = watchService.poll();
        }
        if (full) {
          rescan();
        } else {
          refresh(touched);
        }
      } catch (ClosedWatchServiceException | InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.error("{}: reading configuration files failed; retrying on the next change", name, e);
      }
    }
  }

  /** Re-reads only {@code touched} files: the common case of files being edited. */
  private void refresh(Set<Path> touched) {
    boolean changed = false;
    // The files edited in place: same path, same number of resources. Null once any file came,
    // went, or changed its number of resources.
    Set<Path> inPlace = new HashSet<>();
    for (Path file : touched) {
      if (!isConfigFile(file)) {
        continue;
      }
      LoadedFile before = files.get(file);
      Optional<LoadedFile> now = Files.isRegularFile(file) ? read(file, before) : Optional.empty();
      if (now.isEmpty()) {
        if (before != null) {
          files.remove(file);
          rejected.remove(file);
          log.info(
              "{}: {} was removed; its {} resources are withdrawn",
              name,
              file,
              before.resources().size());
          changed = true;
          inPlace = null;
        }
      } else if (now.get() != before) {
        files.put(file, now.get());
        noteRejection(file, now.get());
        changed = true;
        if (inPlace != null
            && before != null
            && before.resources().size() == now.get().resources().size()) {
          inPlace.add(file);
        } else {
          inPlace = null;
        }
      }
    }
    publish(changed, inPlace);
  }

  private void noteRejection(Path file, LoadedFile loaded) {
    if (loaded.errors().isEmpty()) {
      rejected.remove(file);
    } else {
      rejected.add(file);
    }
  }

  private boolean listed(Path path) {
    return paths.stream().anyMatch(p -> p.toAbsolutePath().normalize().equals(path));
  }

  /** Whether {@code file} is YAML in a listed directory (listed paths take a full rescan). */
  private boolean isConfigFile(Path file) {
    String fileName = file.getFileName().toString();
    return (fileName.endsWith(".yaml") || fileName.endsWith(".yml"))
        && paths.stream().anyMatch(p -> file.startsWith(p.toAbsolutePath().normalize()));
  }

  private void rescan() {
    Set<Path> found = new TreeSet<>();
    Set<Path> directories = new HashSet<>();
    List<ConfigError> pathErrors = new ArrayList<>();
    for (Path path : paths) {
      if (!Files.exists(path)) {
        pathErrors.add(missing(path));
        // So that its creation is noticed without waiting for the rescan.
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null && Files.isDirectory(parent)) {
          directories.add(parent);
        }
        continue;
      }
      missingPaths.remove(path);
      if (Files.isDirectory(path)) {
        collect(path, found, directories, pathErrors);
      } else {
        // An explicitly listed file is read whatever its name.
        found.add(path.toAbsolutePath().normalize());
        directories.add(path.toAbsolutePath().getParent());
      }
    }
    watch(directories);

    Map<Path, LoadedFile> next = new TreeMap<>();
    for (Path file : found) {
      read(file, files.get(file)).ifPresent(loaded -> next.put(file, loaded));
    }
    boolean changed = !next.keySet().equals(files.keySet());
    for (Map.Entry<Path, LoadedFile> gone : files.entrySet()) {
      LoadedFile now = next.get(gone.getKey());
      if (now == null) {
        log.info(
            "{}: {} was removed; its {} resources are withdrawn",
            name,
            gone.getKey(),
            gone.getValue().resources().size());
      } else if (now != gone.getValue()) {
        changed = true;
      }
    }
    files.clear();
    files.putAll(next);
    rejected.clear();
    files.forEach(this::noteRejection);
    this.pathErrors = List.copyOf(pathErrors);
    publish(changed || inEffect == null, null);
  }

  /**
   * Delivers the resources in effect if they changed, then the current errors. {@code inPlace}: the
   * only files that changed, each with as many resources as before; null if that is not known.
   */
  private void publish(boolean changed, Set<Path> inPlace) {
    if (changed && !closed) {
      List<ConfigResource> next = inPlace != null && offsets != null ? replaced(inPlace) : null;
      inEffect = next != null ? next : allResources();
      onChange.accept(inEffect);
    }
    List<ConfigError> allErrors = new ArrayList<>(pathErrors);
    for (Path file : rejected) {
      allErrors.addAll(files.get(file).errors());
    }
    // Published after the callback, so whoever sees these errors also sees what was delivered.
    errors = List.copyOf(allErrors);
  }

  /** Every file's resources, in path order, noting where each file's resources start. */
  private List<ConfigResource> allResources() {
    List<ConfigResource> resources = new ArrayList<>();
    Map<Path, Integer> starts = new HashMap<>();
    for (Map.Entry<Path, LoadedFile> file : files.entrySet()) {
      starts.put(file.getKey(), resources.size());
      resources.addAll(file.getValue().resources());
    }
    offsets = starts;
    return List.copyOf(resources);
  }

  /**
   * The resources in effect with those of {@code inPlace} replaced where they stand; null if where
   * one of those files stands is not known.
   */
  private List<ConfigResource> replaced(Set<Path> inPlace) {
    ConfigResource[] all = inEffect.toArray(new ConfigResource[0]);
    for (Path file : inPlace) {
      Integer start = offsets.get(file);
      if (start == null) {
        return null;
      }
      int at = start;
      for (ConfigResource r : files.get(file).resources()) {
        all[at++] = r;
      }
    }
    return List.of(all);
  }

  private ConfigError missing(Path path) {
    if (missingPaths.add(path)) {
      log.warn("{}: {} does not exist; reading it as empty until it appears", name, path);
    }
    return new ConfigError(new SourceLocation(path.toString(), 1, 1), "", "path does not exist");
  }

  /** Adds the YAML files under {@code root} to {@code found}, and its directories to watch. */
  private void collect(
      Path root, Set<Path> found, Set<Path> directories, List<ConfigError> pathErrors) {
    try {
      Files.walkFileTree(
          root,
          EnumSet.of(FileVisitOption.FOLLOW_LINKS),
          Integer.MAX_VALUE,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              if (!dir.equals(root) && isHidden(dir)) {
                return FileVisitResult.SKIP_SUBTREE;
              }
              directories.add(dir);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              String fileName = file.getFileName().toString();
              if (attrs.isRegularFile()
                  && !isHidden(file)
                  && (fileName.endsWith(".yaml") || fileName.endsWith(".yml"))) {
                found.add(file.toAbsolutePath().normalize());
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              // Deleted while walking, a symlink loop, or unreadable: the next rescan sees the
              // settled state, and a file that stays unreadable is reported when read.
              log.debug("{}: skipping {}: {}", name, file, e.toString());
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      pathErrors.add(
          new ConfigError(
              new SourceLocation(root.toString(), 1, 1), "", "cannot read directory: " + e));
    }
  }

  private static boolean isHidden(Path path) {
    return path.getFileName().toString().startsWith(".");
  }

  private void watch(Set<Path> named) {
    // One name per directory: registered under two names it would share one key, and dropping
    // either name would cancel the key for both.
    Set<Path> directories = new HashSet<>();
    named.forEach(directory -> directories.add(directory.toAbsolutePath().normalize()));
    watchedDirectories
        .entrySet()
        .removeIf(
            watched -> {
              boolean keep = directories.contains(watched.getKey()) && watched.getValue().isValid();
              if (!keep) {
                watched.getValue().cancel();
              }
              return !keep;
            });
    for (Path directory : directories) {
      if (!watchedDirectories.containsKey(directory)) {
        try {
          watchedDirectories.put(
              directory,
              directory.register(
                  watchService,
                  StandardWatchEventKinds.ENTRY_CREATE,
                  StandardWatchEventKinds.ENTRY_DELETE,
                  StandardWatchEventKinds.ENTRY_MODIFY));
        } catch (IOException e) {
          log.debug("{}: cannot watch {}; relying on the rescan", name, directory, e);
        }
      }
    }
  }

  /**
   * Reads {@code file} again, re-parsing it only if its bytes changed. Empty if it vanished since
   * the directory walk, which makes it count as deleted.
   */
  private Optional<LoadedFile> read(Path file, LoadedFile before) {
    byte[] bytes;
    String version;
    try {
      bytes = Files.readAllBytes(file);
      version = sha256(bytes);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      bytes = null;
      version = "unreadable: " + e;
    }
    if (before != null && before.version().equals(version)) {
      return Optional.of(before);
    }
    LoadResult result =
        bytes == null ? failure(file, "cannot read file: " + version) : parse(file, bytes);
    if (result.ok()) {
      log.info("{}: loaded {}: {} resources", name, file, result.resources().size());
      return Optional.of(new LoadedFile(version, result.resources(), List.of()));
    }
    List<ConfigResource> kept = before == null ? List.of() : before.resources();
    rejections.incrementAndGet();
    log.warn(
        "{}: rejected {} with {} errors; keeping its previous {} resources",
        name,
        file,
        result.errors().size(),
        kept.size());
    for (ConfigError error : result.errors()) {
      log.warn("{}: {}", name, error);
    }
    return Optional.of(new LoadedFile(version, kept, result.errors()));
  }

  private static LoadResult parse(Path file, byte[] bytes) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return failure(file, "file is not valid UTF-8");
    }
    return ConfigLoader.parse(file.toString(), text);
  }

  private static LoadResult failure(Path file, String message) {
    return LoadResult.failed(
        List.of(new ConfigError(new SourceLocation(file.toString(), 1, 1), "", message)));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
