/// What each trial generates once trained.
public struct GenerateSettings: Codable, Sendable, Hashable {
    public enum Mode: String, Codable, Sendable, CaseIterable {
        /// Re-run the last `sequence_length` characters from a zero state (as the originals did).
        case window
        /// Carry the recurrent state: O(1) per character.
        case stateful
    }

    /// A prompt taken from the (preprocessed) dataset text: characters `offset ..< offset + length`.
    public struct PromptSlice: Codable, Sendable, Hashable {
        public var offset: Int
        public var length: Int
        public init(offset: Int, length: Int) {
            self.offset = offset
            self.length = length
        }
    }

    /// Characters generated after each prompt (0 = no generation).
    public var length: Int
    public var prompts: [String]
    public var promptSlices: [PromptSlice]
    public var mode: Mode
    /// 0 = greedy; otherwise sampling from softmax(logits / temperature) with the trial's seed.
    public var temperature: Double

    /// With neither prompts nor slices, generation starts from the first character of the text.
    public init(
        length: Int = 1000, prompts: [String] = [], promptSlices: [PromptSlice] = [],
        mode: Mode = .stateful, temperature: Double = 0
    ) {
        self.length = length
        self.prompts = prompts
        self.promptSlices = prompts.isEmpty && promptSlices.isEmpty ? [PromptSlice(offset: 0, length: 1)] : promptSlices
        self.mode = mode
        self.temperature = temperature
    }

    enum CodingKeys: String, CodingKey {
        case length, prompts, mode, temperature
        case promptSlices = "prompt_slices"
    }
}
