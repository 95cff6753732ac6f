import SystemSupport

extension SweepFile {
    /// Checks what needs the dataset's size: every sequence length must fit in the split part it
    /// is trained and validated on, and every prompt slice must lie inside the text.
    /// `datasetLength` counts characters after preprocessing.
    public func validate(against datasetLength: Int) throws(SweepFileError) {
        let context = ErrorContext(file: file)
        let parts = split.partLengths(ofTextLength: datasetLength)
        let described: String
        switch split.kind {
        case .none: described = "split none"
        case .windows: described = "split windows \(split.trainWindows ?? 0) + \(split.validationWindows ?? 0)"
        case .tail, .random: described = "split \(split.kind.rawValue) \(JSONNumberFormat.canonical(split.fraction))"
        }
        var checked: Set<[Int]> = []
        for combination in combinations where checked.insert([combination.training.sequenceLength, combination.training.stride]).inserted {
            let length = combination.training.sequenceLength
            let source = combination.sources["sequence_length"] ?? "training.sequence_length"
            let value = JSONValue(length)
            switch split.kind {
            case .tail, .none:
                if length >= parts.train {
                    throw context.error(source, "expected a sequence length below the \(parts.train) characters of the training part (\(datasetLength) characters, \(described))", value: value)
                }
                if length >= parts.validation {
                    throw context.error(source, "expected a sequence length below the \(parts.validation) characters of the validation part (\(datasetLength) characters, \(described))", value: value)
                }
            case .windows:
                let stride = combination.training.stride
                let windows = datasetLength > length ? (datasetLength - length - 1) / stride + 1 : 0
                let needed = (split.trainWindows ?? 0) + (split.validationWindows ?? 0)
                if windows < needed {
                    throw context.error(source, "expected a sequence length that leaves \(needed) windows (\(windows) windows of \(datasetLength) characters at stride \(stride), \(described))", value: value)
                }
            case .random:
                let windows = datasetLength - length
                let validationWindows = Int((Double(max(windows, 0)) * split.fraction).rounded(.down))
                if windows < 2 || validationWindows < 1 || windows - validationWindows < 1 {
                    throw context.error(source, "expected a sequence length that leaves windows for both parts (\(max(windows, 0)) windows of \(datasetLength) characters, \(described))", value: value)
                }
            }
        }
        for (position, slice) in generate.promptSlices.enumerated() where slice.offset + slice.length > datasetLength {
            let path = JSONPath.root.key("generate").key("prompt_slices").index(position)
            throw context.error(path, "expected a slice inside the dataset's \(datasetLength) characters (it ends at \(slice.offset + slice.length))",
                                value: .object([JSONMember("offset", JSONValue(slice.offset)), JSONMember("length", JSONValue(slice.length))]))
        }
    }
}
