import CharRNN
import Foundation
import SweepCore

/// Checks a checkpoint file before the coordinator keeps it or resumes a trial from it: it must
/// be a complete training state (format, metadata, every tensor with its shape and dtype) of this
/// very trial (model, training, split, seed) at the epoch it claims. A worker's bug or a hostile
/// peer could otherwise poison every later attempt of the trial.
struct CheckpointInspector: Sendable {
    /// The dataset text as workers read it (the checkpoint's vocabulary must fit it).
    let text: String

    struct Rejection: Error, CustomStringConvertible {
        let description: String
    }

    func check(path: String, trial: Trial, epoch: Int) throws {
        let checkpoint: TrainingCheckpoint
        do { checkpoint = try TrainingCheckpoint.read(path: path) } catch {
            throw Rejection(description: "\(error)")
        }
        var model = trial.config.model
        model.vocabSize = checkpoint.model.vocabSize
        guard checkpoint.model == model else {
            throw Rejection(description: "its model config is not trial \(trial.id)'s")
        }
        // The sweep seed, the attempt budget and the thread count are not training state (the trial
        // seed is checked below, a rerun may change max_attempts, and threads do not change results);
        // older checkpoints do not record them.
        var training = trial.config.training
        training.seed = checkpoint.training.seed
        training.maxAttempts = checkpoint.training.maxAttempts
        training.threads = checkpoint.training.threads
        guard checkpoint.training == training, checkpoint.split == trial.config.split, checkpoint.seed == trial.seed else {
            throw Rejection(description: "its training settings, split or seed are not trial \(trial.id)'s")
        }
        guard checkpoint.state.epoch == epoch else {
            throw Rejection(description: "it holds epoch \(checkpoint.state.epoch), not \(epoch)")
        }
        // Builds the model and restores every tensor, as a resuming worker will.
        do { _ = try TrainingSession(resumingFrom: path, text: text) } catch {
            throw Rejection(description: "\(error)")
        }
    }
}
