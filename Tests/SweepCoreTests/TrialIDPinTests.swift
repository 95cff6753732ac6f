import Foundation
import Testing
@testable import SweepCore

/// Trial ids name run folders, store rows and checkpoints, so a change to the config types or
/// their JSON must not move them. The ids below were printed by `coordinator plan` for each
/// sweep in sweeps/; a sweep given by path is planned, as there, with a placeholder identity.
@Suite struct TrialIDPinTests {
    static let pinned: [String: [String]] = [
        "d2l-deep.json": [
            "c706f382c8e4", "5578e35d0e28", "4733318248ab", "f2cd099f100c",
        ],
        "d2l-rnn.json": [
            "3ceb6c5c12a0",
        ],
        "d2l-timemachine.json": [
            "388d03aeecde", "5bab198a0807", "7feddcfdced6", "f86e726aa40f", "e0df1b87adf6",
            "5207dfe16ab8", "f27aafee7d40", "1701fd7e22c7", "be1c4e240131", "b12f41c47415",
        ],
        "seed004-p1.json": [
            "9857e6b23901", "039789a4f493", "2b91a9b73dfa", "74a239f31ed6", "32baebe1714f",
            "5d644a5b7b0b", "dadd495bf9c1", "11e6d247972f", "c6a991eff257",
        ],
        "seed004.json": [
            "85e816cd8a1d", "e0e07d4b8a63", "2ea384c6162e", "b7d7e016d880", "e40f881ab1ba",
            "72720fd622b8", "add3f048b003", "1f6769e176be", "11dfab26e9ac", "fdf4645d7be6",
            "b41cc3f54edb", "40ad2ddd8ce4", "71d3fadd02e4", "34cbf65644d2", "05a174d6689a",
            "c82f46cb0f10", "da7ca432c40d", "e1560e2955bf", "9f87786522a0", "eb18b18add28",
            "f91b7f1b3dae", "576aca2c44b0", "616f36c09363", "b02b249647f2", "165304cbdd75",
            "275467162c0e", "59f5f2dc8c04", "5883cef407fc", "ee93a7e0b54e", "6ed2c46fbcfa",
            "420a335d02f4", "676b8c7d37ef", "5e5bd69327cd", "7a850c37f5eb", "9a1a9cf9efa2",
            "9122fded3e5d", "bcbc31c04614", "6a8c77ab8dd8", "3e1cfacb654a", "932ab4755784",
            "89a585828a11", "e8e156b7722e", "5d465b0cd687", "e434233f94d6", "7128e2005b0a",
            "491c15cc3701", "c74dee2224dc", "96810ce525d2", "82a39471402d", "5f26a9c91207",
            "e6f6c65d1c3c", "92a0ce21db8a", "7fd9167599ba", "674f265acc54",
        ],
        "deep.json": [
            "9e6bea217d66", "a38ad8deaf4d", "6c373dbb0393", "5d9d7225a9fc", "72eb3c41ed21", "1daa5964b447",
            "f4ca2ad253c9", "014933c51b90",
        ],
        "nextchar.json": [
            "212f98eaabbf", "659446caa61c", "1453fd920bd0", "b4680a2a4f67", "6957bc96a353", "aa39ba4795d2",
            "effdc32881e8", "96fbfab7f459", "31b946897eac",
        ],
        "shakespeare-seed004.json": [
            "e2dc1caa71b7", "ce9176f936dd", "edcc460ecd26", "b26e2b5058a8", "693994efaeee", "689e8f668168",
            "e2dabb68fc17", "ebca07cd064f", "a2f359598a42", "4a498f4c6586", "cda24efb1029", "3c322d75bba9",
            "a48c5f362f52", "a7ebeb5bd0b7", "3c7ca4eb8b29", "93a845f26447", "c1381d264f66", "65c8b948d14e",
            "3bb65af32842", "cc49d15ff572", "7cfb4c1f0565", "cf39a959e221", "a948b8884be1", "bd0aeb5157f8",
            "e90cf0c2fcca", "b7373add233e", "979fec90f882", "c4561f0a7dd9", "e5a8afe35208", "3dd51ced4bad",
            "3ad640d0349e", "481668033659", "481f2738d823", "03bfbecf1c4c", "6b75978c5d83", "09f8e76a9051",
            "f1a692c4782c", "d63d3862616b", "5bcb34473293", "cbf437e48769", "e242c6fd3ec6", "0c73640b1d2b",
            "4424d5785d06", "605ed1015ec8", "e02cdcf0e685", "384b772f9e3a", "93e4fb80588e", "735966fe198f",
            "2150ac71b748", "b6812c8abce8", "7b3a8a1b1ec6", "4bf48bb4b58f", "253f1938481d", "4a23c70d5cde",
        ],
        "shakespeare-asha.json": [
            "a4546080a278", "2837a9b56956", "e8500415b85e", "95ed350eafe4", "7d134e934617", "0fb710edeb6b",
            "b2696352b105", "9ebdc501905d", "281e83646016", "9e06e5a4bb06", "63abb8806753", "33668ff2a177",
            "e66590127408", "93923ffb286a", "2df0f9ecea0f", "c49c0e260011", "db059b909972", "90a4c32a4e9b",
            "b4d0862ef462", "6c36e9f12fc5", "a5c6224ab915", "bcd173690c07", "2ccc72772776", "6d02c8cb67f3",
            "18d9e9c8d602", "874875aebd05", "714924892a38", "3e5e600e4793", "3255774e59dd", "13f6ebd5bcce",
            "be8abc4a84a6", "feeb36869250", "94eb8f17c097", "d99222e93d75", "82751aa7a479", "7c8577f1841a",
            "15f1ecaffa98", "437acfe22328", "44c11def71b8", "a144ee77dd09", "75e26aff361a", "c69f16818797",
            "7162a6fe6081", "fe75e3608661", "6ac71c0615f9", "c3a3be7a6669", "e16c40b6190e", "be32ede2b5b2",
            "5648dd3599e5", "324e3a1406db", "1ed2c8778d60", "5f6be5e0da3f", "b6f83495e65a", "51148326c04a",
        ],
        "shakespeare-random.json": [
            "4c40bc17bf4a", "f4de79d00ae6", "2b5eca60edbd", "671e228d880e", "9029043ef271", "9af07ec60c88",
            "c5d1cd80e6d9", "4dcfa6ff66f5", "0e75c760cd5f", "b21ad02a62b9", "a026de97f34f", "886bb458b4ed",
            "b71b26a35d02", "a6807272c488", "db50f900bc36", "20e27ce539be", "9dfce23a6a7c", "7cadfb19ea1f",
            "e9066b51a24c", "f3468f49e6ac", "acff323629e1", "c0c8253e7fca", "13bd4b5c289f", "a6bfb526a487",
            "17957294914e", "90bfe4698855", "f9c547e842de", "8d4107a8c408", "33528cb4ba85", "d21b4b631275",
        ],
        "shakespeare.json": [
            "f978b21a457f", "f17b7ff0fa7e", "6998a47ff7e1", "65dae07853e5", "1be8a1123997", "414fe4cc00bd",
            "4229cffc84d8", "54ffa8a9b738", "bf4f8dece9f7", "406bb7a67733", "0490ddf14ef4", "580fb3082ad5",
            "f056d170e3f0", "bdddf9d87c70", "cd3a3f8e00d7", "ac15d2cad6e0", "1aadb1323ded", "eeb45cb2c2d1",
            "5f51898659ac", "96d11dc83cea", "eebc2e702f8d", "5f0b2a820194", "7963e7ac1f29", "af5f33a03309",
            "6c705a40196a", "0e8079f64fef", "6837e7448a04", "0ab94964d10b", "9aeaa909763b", "c008131f5c8c",
            "a22692c31cc8", "4984541d42c6", "bcda91354451", "b6dfe5f2fa83", "e490d3d77d44", "4824a4be6899",
            "2c3e72a88056", "7ce284111560", "f2fceb866e6d", "cb6618ec316d", "0d91d468b9bc", "519dadb19e53",
            "81d98849134d", "0bb4099e9456", "33037227e84b", "d8dac205dd74", "0db3937c3d08", "cc06e64c6bd6",
            "a6d3e39f3f2a", "edea9c832850", "ee0a0e53d600", "eade0e1dd558", "542500221a23", "c59d91178c90",
        ],
        "smoke.json": [
            "470f60349d69", "26dc0bbd6876", "70f46ddf3353", "59ce56fc8811",
        ],
        "timemachine.json": [
            "2048eecb0c36", "c17166b9d03b", "863aadf799fb", "51b943749836", "07234535edee", "3020816265cb",
            "8d028426aa88", "bb87d6b9606a", "16a18cb2a15d", "083cbe348348", "00a12fd2f006", "ca069c8714a5",
            "ad6c5810f143", "d90c4482646c", "ad23ef598753",
        ],
    ]

    @Test(arguments: pinned.keys.sorted())
    func trialIDsOfShippedSweepsAreUnchanged(file: String) throws {
        let sweep = try TestFiles.sweep(named: file)
        let dataset = sweep.registryDataset() ?? DatasetSettings(name: "file", sha256: "", preprocess: sweep.dataset.preprocess)
        let trials = sweep.trials(dataset: dataset).sorted { $0.number < $1.number }
        #expect(trials.map(\.id) == Self.pinned[file])
    }

    @Test func everyShippedSweepIsPinned() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: TestFiles.packageRoot.appendingPathComponent("sweeps").path)
        #expect(Set(files.filter { $0.hasSuffix(".json") }) == Set(Self.pinned.keys))
    }
}
