import RetreatCLI
import RetreatServer

RetreatMain.run(server: RetreatServer.serve)
