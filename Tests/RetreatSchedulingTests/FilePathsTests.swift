import Foundation
import RetreatScheduling
import Testing

@Suite struct FilePathsTests {
    @Test(arguments: [
        ("x", ""), ("-", ""), ("a/", ""), ("ab", ""), ("/x", "/"), ("/", "/"), ("a/b", "a"), ("a//b", "a"), ("/a/b/", "/a"),
        ("./x", "."), ("../x.sqlite", ".."), ("dir/sub/file.ics", "dir/sub"),
    ])
    func folderIsWhatFoundationMeans(_ c: (String, String)) {
        #expect(FilePaths.folder(of: c.0) == c.1, "\(c.0)")
    }

    @Test func joinKeepsABareName() {
        #expect(FilePaths.join("", "m.toml") == "m.toml")
        #expect(FilePaths.join("/", "m.toml") == "/m.toml")
        #expect(FilePaths.join("a/b", "m.toml") == "a/b/m.toml")
    }
}
