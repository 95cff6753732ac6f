/// A prompt cut from the (preprocessed) dataset text: `length` characters (Unicode scalars)
/// starting at `offset`.
public struct PromptSlice: Codable, Sendable, Hashable {
    public var offset: Int
    public var length: Int
    public init(offset: Int, length: Int) { self.offset = offset; self.length = length }
}

/// What a trial generates once trained. Absent keys take the defaults of `init`.
public struct GenerationConfig: Codable, Sendable, Hashable {
    public enum Mode: String, Codable, Sendable, CaseIterable {
        /// Re-run the last `sequence_length` characters from a zero state (as the originals did).
        case window
        /// Carry the recurrent state: O(1) per character.
        case stateful
    }

    /// Characters generated after each prompt (0 = no generation).
    public var length: Int
    public var prompts: [String]
    /// With neither prompts nor slices, the trainer prompts with the first `sequence_length`
    /// characters of the text.
    public var promptSlices: [PromptSlice]
    public var mode: Mode
    /// 0 = greedy (argmax); otherwise sampling from softmax(logits / temperature) with the trial's seed.
    public var temperature: Double

    public init(length: Int = 1000, prompts: [String] = [], promptSlices: [PromptSlice] = [], mode: Mode = .stateful,
                temperature: Double = 0) {
        self.length = length
        self.prompts = prompts
        self.promptSlices = promptSlices
        self.mode = mode
        self.temperature = temperature
    }

    enum CodingKeys: String, CodingKey {
        case length, prompts, promptSlices = "prompt_slices", mode, temperature
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = GenerationConfig()
        self.init(length: try c.decodeIfPresent(Int.self, forKey: .length) ?? d.length,
                  prompts: try c.decodeIfPresent([String].self, forKey: .prompts) ?? d.prompts,
                  promptSlices: try c.decodeIfPresent([PromptSlice].self, forKey: .promptSlices) ?? d.promptSlices,
                  mode: try c.decodeIfPresent(Mode.self, forKey: .mode) ?? d.mode,
                  temperature: try c.decodeIfPresent(Double.self, forKey: .temperature) ?? d.temperature)
    }
}
