import GRDB

/// The database schema, as an ordered list of migrations. Never edit a shipped migration:
/// append a new one, so existing run folders upgrade in place.
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-initial", migrate: createInitialTables)
        migrator.registerMigration("v2-leases", migrate: addLeases)
        migrator.registerMigration("v3-retry-budget", migrate: addRetryBudget)
        migrator.registerMigration("v4-train-accuracy", migrate: addTrainAccuracy)
        migrator.registerMigration("v5-trial-progress", migrate: addTrialProgress)
        migrator.registerMigration("v6-stopped-status", migrate: allowStoppedStatus)
        migrator.registerMigration("v7-checkpoint-paths", migrate: indexCheckpointPaths)
        migrator.registerMigration("v8-progress-threads", migrate: addProgressThreads)
        return migrator
    }

    /// Where each trial's running epoch has got to (the latest BATCH_PROGRESS of its lease holder,
    /// written at most once a second), so `coordinator status` in another process can show it.
    private static func addTrialProgress(_ db: Database) throws {
        try db.create(table: "trial_progress") { t in
            t.primaryKey("trial_id", .text).references("trials", onDelete: .cascade)
            t.column("attempt", .integer).notNull()
            t.column("worker_id", .text)
            t.column("epoch", .integer).notNull()
            t.column("batch", .integer).notNull()
            t.column("batches", .integer).notNull()
            t.column("tokens", .integer).notNull()
            t.column("tokens_per_second", .double).notNull()
            t.column("updated_at", .datetime).notNull()
        }
    }


    /// Early stopping: a trial may end `stopped`. SQLite cannot change a CHECK constraint, so the
    /// trials table is rebuilt the way SQLite documents (new table, copy, drop, rename); the
    /// migrator turns foreign keys off meanwhile, so the rows that reference trials stay.
    private static func allowStoppedStatus(_ db: Database) throws {
        let statuses = (v1Statuses + ["stopped"]).map { "'\($0)'" }.joined(separator: ",")
        try db.create(table: "trials_rebuilt") { t in
            t.primaryKey("trial_id", .text)
            t.column("number", .integer).notNull()
            t.column("config_json", .text).notNull()
            t.column("grid_json", .text).notNull()
            t.column("status", .text).notNull().defaults(to: "queued").check(sql: "status IN (\(statuses))")
            t.column("attempts", .integer).notNull().defaults(to: 0)
            t.column("worker_id", .text)
            t.column("lease_expires_at", .datetime)
            t.column("estimated_cost", .double)
            t.column("parameters", .integer)
            t.column("created_at", .datetime).notNull()
            t.column("updated_at", .datetime).notNull()
            t.column("retry_from_attempt", .integer).notNull().defaults(to: 0)
        }
        let columns = "trial_id, number, config_json, grid_json, status, attempts, worker_id, lease_expires_at, " +
            "estimated_cost, parameters, created_at, updated_at, retry_from_attempt"
        try db.execute(sql: """
            INSERT INTO trials_rebuilt (\(columns)) SELECT \(columns) FROM trials;
            DROP TABLE trials;
            ALTER TABLE trials_rebuilt RENAME TO trials;
            """)
        try db.create(index: "trials_by_status", on: "trials", columns: ["status", "number"])
    }

    /// The statuses the first schema allowed (spelled out: that migration must never change).
    private static let v1Statuses = ["queued", "running", "done", "diverged", "config_error", "failed"]


    /// Before a checkpoint file is deleted the store checks that no row still names it: without
    /// an index that is a scan of every trial's checkpoints for each checkpoint recorded.
    private static func indexCheckpointPaths(_ db: Database) throws {
        try db.create(index: "checkpoints_by_path", on: "checkpoints", columns: ["path"])
    }

    /// Elastic cores: the thread count a running trial's holder last reported (NULL: not reported).
    private static func addProgressThreads(_ db: Database) throws {
        try db.alter(table: "trial_progress") { t in
            t.add(column: "threads", .integer)
        }
    }

    /// Attempts up to `retry_from_attempt` were used before `run --retry-failed` gave the trial a
    /// fresh budget; only later infra failures count against `max_attempts`.
    /// Epochs keep the training accuracy the worker reports with every epoch.
    private static func addTrainAccuracy(_ db: Database) throws {
        try db.alter(table: "epochs") { t in
            t.add(column: "train_accuracy", .double)
        }
    }

    private static func addRetryBudget(_ db: Database) throws {
        try db.alter(table: "trials") { t in
            t.add(column: "retry_from_attempt", .integer).notNull().defaults(to: 0)
        }
    }

    /// Protocol RNS2: each attempt remembers its lease (id and worker process), and each checkpoint
    /// the attempt that uploaded it, so a late result can be matched to its lease and keep its own files.
    private static func addLeases(_ db: Database) throws {
        try db.alter(table: "attempts") { t in
            t.add(column: "lease_id", .text)
            t.add(column: "worker_name", .text)
        }
        try db.alter(table: "checkpoints") { t in
            t.add(column: "attempt", .integer)
        }
    }

    private static func createInitialTables(_ db: Database) throws {
        try db.create(table: "sweeps") { t in
            t.primaryKey("name", .text)
            t.column("spec_hash", .text).notNull()
            t.column("spec_json", .text).notNull()
            t.column("created_at", .datetime).notNull()
            t.column("updated_at", .datetime).notNull()
        }

        let statuses = v1Statuses.map { "'\($0)'" }.joined(separator: ",")
        try db.create(table: "trials") { t in
            t.primaryKey("trial_id", .text)
            t.column("number", .integer).notNull()
            t.column("config_json", .text).notNull()
            // JSON array of [key, value] pairs, in grid order.
            t.column("grid_json", .text).notNull()
            t.column("status", .text).notNull().defaults(to: "queued")
                .check(sql: "status IN (\(statuses))")
            t.column("attempts", .integer).notNull().defaults(to: 0)
            t.column("worker_id", .text)
            t.column("lease_expires_at", .datetime)
            t.column("estimated_cost", .double)
            t.column("parameters", .integer)
            t.column("created_at", .datetime).notNull()
            t.column("updated_at", .datetime).notNull()
        }
        try db.create(index: "trials_by_status", on: "trials", columns: ["status", "number"])

        try db.create(table: "attempts") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("trial_id", .text).notNull().references("trials", onDelete: .cascade)
            t.column("attempt", .integer).notNull()
            t.column("worker_id", .text)
            t.column("host", .text)
            t.column("started_at", .datetime).notNull()
            t.column("ended_at", .datetime)
            t.column("outcome", .text)
            t.column("message", .text)
            t.uniqueKey(["trial_id", "attempt"])
        }

        try db.create(table: "epochs") { t in
            t.column("trial_id", .text).notNull().references("trials", onDelete: .cascade)
            t.column("attempt", .integer).notNull()
            t.column("epoch", .integer).notNull()
            t.column("train_loss", .double)
            t.column("val_loss", .double)
            t.column("val_accuracy", .double)
            t.column("val_perplexity", .double)
            t.column("seconds", .double)
            t.column("tokens_per_second", .double)
            t.column("recorded_at", .datetime).notNull()
            t.primaryKey(["trial_id", "epoch"])
        }

        try db.create(table: "results") { t in
            t.primaryKey("trial_id", .text).references("trials", onDelete: .cascade)
            t.column("attempt", .integer).notNull()
            t.column("worker_id", .text)
            t.column("worker_host", .text)
            t.column("status", .text).notNull()
            t.column("epochs_run", .integer)
            t.column("best_epoch", .integer)
            t.column("train_loss", .double)
            t.column("val_loss", .double)
            t.column("val_accuracy", .double)
            t.column("val_perplexity", .double)
            t.column("overfit_pct", .double)
            t.column("training_seconds", .double)
            t.column("inference_seconds_per_1000", .double)
            t.column("ms_per_char", .double)
            t.column("parameters", .integer)
            t.column("size_mb", .double)
            t.column("macs_per_char", .double)
            t.column("training_flops", .double)
            t.column("tokens_per_second", .double)
            t.column("sample", .text)
            t.column("result_json", .text).notNull()
            t.column("recorded_at", .datetime).notNull()
        }

        try db.create(table: "checkpoints") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("trial_id", .text).notNull().references("trials", onDelete: .cascade)
            t.column("epoch", .integer).notNull()
            t.column("path", .text).notNull()
            t.column("sha256", .text).notNull()
            t.column("bytes", .integer).notNull()
            t.column("is_best", .boolean).notNull().defaults(to: false)
            t.column("is_latest", .boolean).notNull().defaults(to: false)
            t.column("created_at", .datetime).notNull()
            t.uniqueKey(["trial_id", "epoch"])
        }
        // The database itself guarantees at most one latest and one best checkpoint per trial.
        try db.execute(sql: """
            CREATE UNIQUE INDEX checkpoints_one_latest ON checkpoints(trial_id) WHERE is_latest;
            CREATE UNIQUE INDEX checkpoints_one_best ON checkpoints(trial_id) WHERE is_best;
            """)

        try db.create(table: "workers") { t in
            t.primaryKey("worker_id", .text)
            t.column("host", .text).notNull()
            t.column("cores", .integer)
            t.column("build", .text)
            t.column("first_seen", .datetime).notNull()
            t.column("last_seen", .datetime).notNull()
            t.column("infra_failures", .integer).notNull().defaults(to: 0)
            t.column("quarantined", .boolean).notNull().defaults(to: false)
        }

        try db.create(table: "events") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("time", .datetime).notNull()
            t.column("kind", .text).notNull()
            t.column("trial_id", .text)
            t.column("worker_id", .text)
            t.column("message", .text).notNull()
        }
    }
}
