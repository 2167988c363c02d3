import RetreatCLI

RetreatMain.run()
